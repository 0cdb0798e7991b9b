import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, plots, stages, type features } from 'facetype';

function blobs(centres: number[][], n: number, spread: number, seed = 1): number[][] {
  const rng = cluster.mulberry32(seed);
  return centres.flatMap((c) => Array.from({ length: n }, () => c.map((v) => v + spread * (rng() - 0.5))));
}

/**
 * Three level-1 types of 80 faces: type 0 holds two sub-blobs, one wearing glasses, one not;
 * type 1 holds two sub-blobs that no trait tells apart; type 2 is one round blob.
 */
function fixture() {
  const X = cluster.toMatrix([
    ...blobs([[10, 0], [10, 4]], 40, 1, 1), ...blobs([[-10, 0], [-10, 4]], 40, 1, 2), ...blobs([[0, -12]], 80, 3, 3),
  ]);
  const level1 = Int32Array.from({ length: 240 }, (_, i) => Math.floor(i / 80));
  const attributes = new Float32Array(240 * 9);
  for (let i = 0; i < 240; i++) {
    attributes[i * 9] = i < 80 ? 25 : i < 160 ? 65 : 45;
    attributes[i * 9 + 1] = i < 80 ? 0.9 : 0.1;
    attributes[i * 9 + 2] = 1;
  }
  const glasses: features.FaceTrait = { name: 'glasses', kind: 'binary', word: 'with glasses', validated: true, values: Float32Array.from({ length: 240 }, (_, i) => (i < 40 ? 1 : 0)) };
  return { X, level1, attributes, glasses };
}

test('twoLevelTypes() splits a type whose parts differ in a validated trait, not one whose parts read alike', async () => {
  const { X, level1, attributes, glasses } = fixture();
  const traits = [...stages.faceApiTraits(attributes), glasses];
  const tree = await stages.twoLevelTypes(X, level1, traits, { split: { workers: 1, metric: 'euclidean', kMax: 3 } });
  assert.equal(tree.choice.chosen.length, 1);
  assert.equal(tree.choice.chosen[0].cluster, 0);
  assert.equal(tree.parentOf.length, 4);
  const labels = tree.leafLabels.map((t) => t.label);
  assert.deepEqual(labels.slice(0, 2).sort(), ['young men', 'young men with glasses']);
  assert.equal(new Set(labels).size, labels.length);
  assert.match(tree.justification, /"older women" kept whole: .*read alike/);
  assert.deepEqual(tree.nodes.map((n) => n.id), ['0', '0.0', '0.1', '1', '2']);
  assert.equal(tree.nodes[0].size, 80);
});

test('twoLevelTypes() never exceeds maxTypes', async () => {
  const { X, level1, attributes, glasses } = fixture();
  const tree = await stages.twoLevelTypes(X, level1, [...stages.faceApiTraits(attributes), glasses], { maxTypes: 3, split: { workers: 1, metric: 'euclidean' } });
  assert.equal(tree.parentOf.length, 3);
  assert.equal(tree.choice.chosen.length, 0);
});

test('compareTypings() scores the two-level types beside flat K-Means and attribute-weighted features', async () => {
  const { X, level1, attributes, glasses } = fixture();
  const traits = [...stages.faceApiTraits(attributes), glasses];
  const tree = await stages.twoLevelTypes(X, level1, traits, { split: { workers: 1, metric: 'euclidean', kMax: 3 } });
  const analysis = await cluster.analyzeK(X, { kMin: 2, kMax: 5, nInit: 3, workers: 1, bootstrap: { samples: 5 } });
  const external = { Glasses: glasses.values };
  const c = await stages.compareTypings(X, analysis, 3, tree, traits, external, { bootstrapSamples: 3 });
  assert.deepEqual(c.rows.map((r) => r.typing.replace(/ \(k=\d+\)/, '')), ['two-level types', 'flat K-Means, elbow', 'flat K-Means, largest stable k', 'attribute-weighted features']);
  assert.equal(c.rows[0].types, 4);
  assert.ok(c.rows[0].nmi.Glasses > c.rows[1].nmi.Glasses);
  assert.match(c.justification, /^Two-level types: 4 types, silhouette .* \(comparison table\)\.$/);
  const rows = stages.typingRows(c);
  assert.match(String(rows[0].silhouette), /^-?\d\.\d{3}$/);
  assert.ok('NMI Glasses' in rows[0]);
});

test('typeTreeChart() and traitHeatmap() draw the tree and the shares with one decimal', async () => {
  const { X, level1, attributes, glasses } = fixture();
  const traits = [...stages.faceApiTraits(attributes), glasses];
  const tree = await stages.twoLevelTypes(X, level1, traits, { split: { workers: 1, metric: 'euclidean', kMax: 3 } });
  const sun = plots.typeTreeChart(tree.nodes);
  const trace = sun.figure.data[0] as { ids: string[]; parents: string[]; values: number[] };
  assert.deepEqual(trace.parents, ['', '0', '0', '', '']);
  assert.equal(trace.values[0], trace.values[1] + trace.values[2]);
  assert.match(sun.summary, /^0: young men - 80 faces \(33\.3%\)\n {2}0\.\d: /);
  const names = new Map(tree.leafLabels.map((t) => [t.type, t.label]));
  const heat = plots.traitHeatmap(stages.typeTraitShares(tree.leaves, traits), names);
  const h = heat.figure.data[0] as { text: string[][]; y: string[] };
  assert.equal(h.y[h.y.length - 1], 'everyone');
  assert.ok(h.text.flat().every((t) => /^\d+\.\d%$|^-$/.test(t)));
  // the title sits above the plot area, below the mode bar's band
  const title = heat.figure.layout.title as { yref: string; yanchor: string };
  assert.equal(title.yref, 'paper');
  assert.equal(title.yanchor, 'bottom');
});

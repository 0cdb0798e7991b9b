import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cluster, features, io, projectPaths, stages } from 'facetype';

/** A small synthetic clustering: 3 blobs of faces with descriptors, attributes and crop files. */
async function synthetic(dir: string) {
  const paths = projectPaths(dir);
  fs.mkdirSync(paths.faces, { recursive: true });
  const n = 30;
  const names = Array.from({ length: n }, (_, i) => `face, "${i}" é.jpg`);
  const images = names.map((f) => path.join(paths.faces, f));
  for (const f of images) fs.writeFileSync(f, 'x');
  const blobs = cluster.makeBlobs({ n: n, dim: features.DESCRIPTOR_DIM, centers: 3, std: 0.05, seed: 1 });
  const descriptors = Float32Array.from(blobs.X.data);
  const attributes = new Float32Array(n * features.ATTRIBUTE_DIM);
  for (let i = 0; i < n; i++) {
    attributes[i * features.ATTRIBUTE_DIM + features.ATTRIBUTE.age] = 20 + (i % 3) * 20;
    attributes[i * features.ATTRIBUTE_DIM + features.ATTRIBUTE.male] = i % 2;
    attributes[i * features.ATTRIBUTE_DIM + features.ATTRIBUTE.firstExpression] = 1;
  }
  const feats = { names, descriptors, attributes, measures: new Float32Array(n * features.MEASURE_DIM).fill(NaN), computed: n, cached: 0, seconds: 0, backend: null };
  const prepared = {
    file: { version: 1 as const, source: { kind: 'folder', label: 'test', root: dir }, template: { size: 256 } as never, cropSize: 256,
      faces: names.map((name, rank) => ({ rank, name, photo: `p/${name}`, face: 0, quality: 1, yaw: 0, pitch: 0, roll: 0, sharpness: 1, eyeDistance: 60, brightness: 0.5, meta: null })) },
    images, landmarks68: new Float32Array(0), mesh468: new Float32Array(0),
  };
  const fm = stages.faceMatrix(feats);
  const reduced = stages.reduce(fm, 0.9);
  const analysis = await cluster.analyzeK(reduced.X, { kMin: 2, kMax: 4, seed: 1, bootstrap: { samples: 3, fraction: 0.8 }, workers: 1 });
  const choice = cluster.chooseK(analysis, { k: 3 });
  const chosen = analysis.scores.find((s) => s.k === 3)!;
  const alt = stages.alternatives(reduced.X, chosen.labels, 3, 1);
  const explained = stages.explainClusters(chosen.labels, stages.faceAttributesFromMatrix(attributes), { X: reduced.X, centroids: chosen.centroids });
  return { paths, prepared, feats, fm, reduced, analysis, choice, chosen, alt, explained };
}

test('writeClusters() then loadClusters() round-trips faces and labels (names with commas, quotes, unicode)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-clusters-'));
  try {
    const s = await synthetic(dir);
    const out = stages.writeClusters(s.paths, {
      prepared: s.prepared as never, features: s.feats, matrix: s.fm, reduced: s.reduced, analysis: s.analysis, choice: s.choice,
      labels: s.chosen.labels, centroids: s.chosen.centroids, alternatives: s.alt, explained: s.explained,
    });
    assert.equal(out.folders.length, 3);
    const back = stages.loadClusters(s.paths);
    assert.deepEqual(back.faces, s.feats.names);
    assert.deepEqual(Array.from(back.labels), Array.from(s.chosen.labels));
    assert.equal(back.file.k, 3);
    assert.equal(back.file.clusters.length, 3);
    // every face is linked into its cluster's folder
    const linked = out.folders.reduce((t, f) => t + fs.readdirSync(path.join(out.dir, f)).length, 0);
    assert.equal(linked, 30);
    // written again: the folders are replaced, not added to
    stages.writeClusters(s.paths, {
      prepared: s.prepared as never, features: s.feats, matrix: s.fm, reduced: s.reduced, analysis: s.analysis, choice: s.choice,
      labels: s.chosen.labels, centroids: s.chosen.centroids, alternatives: s.alt, explained: s.explained,
    });
    assert.deepEqual(fs.readdirSync(out.dir).sort(), [...out.folders].sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeClusters() with traits writes every trait as a clusters.csv column (category by name, binary 0/1, score beside it)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-clusters-'));
  try {
    const s = await synthetic(dir);
    const traits = stages.typeTraits(s.feats);
    stages.writeClusters(s.paths, {
      prepared: s.prepared as never, features: s.feats, matrix: s.fm, reduced: s.reduced, analysis: s.analysis, choice: s.choice,
      labels: s.chosen.labels, centroids: s.chosen.centroids, alternatives: s.alt, explained: s.explained, traits,
    });
    const { header, rows } = (() => {
      const parsed = io.parseCsv(fs.readFileSync(path.join(s.paths.processed, 'clusters.csv'), 'utf8'));
      return { header: parsed.columns, rows: parsed.rows };
    })();
    for (const col of ['ageBand', 'gender', 'smiling', 'smiling_score', 'skinTone', 'skinTone_score', 'glasses', 'glasses_score', 'beard', 'greyHair', 'hat']) {
      assert.ok(header.includes(col), `clusters.csv lacks ${col}: ${header.join(', ')}`);
    }
    // ages 20/40/60 by row, male every other row; the measures are NaN here: empty cells
    assert.deepEqual(rows.slice(0, 3).map((r) => r.ageBand), ['young adult', 'middle-aged', 'older']);
    assert.deepEqual(rows.slice(0, 2).map((r) => r.gender), ['woman', 'man']);
    assert.equal(rows[0].skinTone, '');
    assert.equal(rows[0].glasses, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadClusters() without a clustering says what to run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-clusters-'));
  try {
    assert.throws(() => stages.loadClusters(projectPaths(dir)), /No clusters in .*: run the clustering first \(notebook 02, or npm start\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('display tables round for reading: one decimal, shares as %', () => {
  assert.equal(stages.round(12.345), 12.3);
  assert.equal(stages.percent(0.12345), 12.3);
  assert.ok(Number.isNaN(stages.round(NaN)));
});

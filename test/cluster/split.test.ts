import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

/** Points around centres (2-D), `n` each, with a seeded jitter. */
function blobs(centres: number[][], n: number, spread: number, seed = 1): number[][] {
  const rng = cluster.mulberry32(seed);
  return centres.flatMap((c) => Array.from({ length: n }, () => c.map((v) => v + spread * (rng() - 0.5))));
}

test('splitCandidates() finds the two sub-blobs inside a cluster and marks that split usable', async () => {
  // cluster 0: two sub-blobs; cluster 1: one round blob
  const X = [...blobs([[10, 0], [10, 3]], 60, 1), ...blobs([[-10, 0]], 120, 2, 2)];
  const labels = X.map((_, i) => (i < 120 ? 0 : 1));
  const s = await cluster.splitCandidates(X, labels, { kMax: 3, workers: 1, metric: 'euclidean' });
  assert.equal(s.length, 2);
  const two = s[0].candidates.find((c) => c.k === 2)!;
  assert.ok(two.usable, two.reason);
  assert.ok(two.stability > 0.95);
  assert.deepEqual([...two.sizes].sort(), [60, 60]);
  const choice = cluster.chooseSplits(s, 10, (c) => (c === 0 ? true : 'vetoed'));
  assert.deepEqual(choice.chosen.map((c) => [c.cluster, c.candidate.k]), [[0, 2]]);
  assert.equal(choice.leaves, 3);
  assert.match(choice.reasons[1], /cluster 1 kept whole: .*(unstable|vetoed)/);
  const tree = cluster.treeLabels(labels, s, choice.chosen);
  assert.deepEqual(tree.parentOf, [0, 0, 1]);
  assert.equal(new Set(Array.from(tree.leaf.slice(0, 60))).size, 1);
  assert.notEqual(tree.leaf[0], tree.leaf[60]);
  assert.equal(tree.leaf[200], 2);
});

test('chooseSplits() stays under maxLeaves and treeLabels() keeps unsplit clusters whole', async () => {
  const X = [...blobs([[10, 0], [10, 3]], 40, 1), ...blobs([[-10, 0], [-10, 3]], 40, 1, 3)];
  const labels = X.map((_, i) => (i < 80 ? 0 : 1));
  const s = await cluster.splitCandidates(X, labels, { kMax: 2, workers: 1, metric: 'euclidean' });
  const choice = cluster.chooseSplits(s, 3);
  assert.equal(choice.leaves, 3);
  assert.equal(choice.chosen.length, 1);
  assert.match(choice.reasons.join(' '), /no room under 3 types/);
});

test('splitCandidates() skips a cluster too small to split, and chooseSplits() rejects too many clusters', async () => {
  const X = blobs([[0, 0], [5, 5]], 10, 1);
  const s = await cluster.splitCandidates(X, X.map((_, i) => (i < 10 ? 0 : 1)), { workers: 1 });
  assert.match(s[0].skipped, /too few to split/);
  assert.throws(() => cluster.chooseSplits(s, 1), /2 clusters already exceed maxLeaves=1/);
});

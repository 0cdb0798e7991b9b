import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { close, reference } from './helpers';

const ref = reference();

test('dbscan() matches scikit-learn labels and core samples on the reference data', () => {
  const r = cluster.dbscan(ref.X, { eps: ref.dbscan.eps, minSamples: ref.dbscan.minSamples });
  assert.deepEqual(Array.from(r.labels), ref.dbscan.labels);
  assert.deepEqual(Array.from(r.coreSampleIndices), ref.dbscan.core);
  assert.equal(r.nClusters, 3);
  assert.equal(r.nNoise, ref.dbscan.labels.filter((l) => l < 0).length);
  close(r.noiseShare, r.nNoise / 60, 1e-12);
  assert.equal(r.sizes.reduce((a, b) => a + b, 0) + r.nNoise, 60);
});

test('dbscan() on a hand-made line: two dense groups, one isolated point as noise', () => {
  const X = [[0], [0.5], [1], [10], [10.5], [11], [30]];
  const r = cluster.dbscan(X, { eps: 0.6, minSamples: 2 });
  assert.deepEqual(Array.from(r.labels), [0, 0, 0, 1, 1, 1, -1]);
  assert.deepEqual(Array.from(r.coreSampleIndices), [0, 1, 2, 3, 4, 5]);
});

test('dbscan() with cosine metric groups directions regardless of length', () => {
  const X = [[1, 0], [2, 0.05], [3, -0.05], [0, 1], [0.05, 2], [-0.05, 5]];
  const r = cluster.dbscan(X, { eps: 0.01, minSamples: 2, metric: 'cosine' });
  assert.deepEqual(Array.from(r.labels), [0, 0, 0, 1, 1, 1]);
});

test('dbscan() warns when everything is noise or there is one cluster', () => {
  const none = cluster.dbscan([[0], [5], [10]], { eps: 1, minSamples: 2 });
  assert.equal(none.nClusters, 0);
  assert.match(none.warnings[0], /DBSCAN found no cluster at eps=1, minSamples=2: every point is noise/);
  const one = cluster.dbscan([[0], [0.5], [1]], { eps: 1, minSamples: 2 });
  assert.match(one.warnings[0], /DBSCAN found a single cluster at eps=1 \(0 noise points\)/);
  const mostly = cluster.dbscan([[0], [0.1], [5], [9], [13], [17]], { eps: 0.5, minSamples: 2 });
  assert.match(mostly.warnings.join('\n'), /67% of the points are noise at eps=0.5/);
});

test('dbscan() rejects bad options and a too large eps with named errors', () => {
  assert.throws(() => cluster.dbscan(ref.X, { eps: -1 }), /Expected number >= 0 for eps but received -1 of type number/);
  assert.throws(() => cluster.dbscan(ref.X, { eps: 0 }), /eps=0: no point has a neighbour; choose eps from kDistances\(\)/);
  assert.throws(() => cluster.dbscan(ref.X, { minSamples: 0 }), /Expected integer >= 1 for minSamples but received 0 of type number/);
  assert.throws(() => cluster.dbscan(ref.X, { metric: 'l2' as never }), /Expected one of 'euclidean', 'cosine' for metric but received 'l2' of type string/);
  assert.throws(() => cluster.dbscan(ref.X, { maxNeighbourPairs: 0 }), /Expected integer >= 1 for maxNeighbourPairs but received 0 of type number/);
  assert.throws(() => cluster.dbscan(ref.X, { eps: 100, maxNeighbourPairs: 100 }), /eps=100 is too large: over 100 neighbour pairs among 60 points; choose eps from kDistances\(\)/);
});

test('kDistances() gives the sorted distance to the k-th nearest other point', () => {
  const X = [[0], [1], [3], [7]];
  // 1st neighbours: 0->1 (1), 1->0 (1), 3->1 (2), 7->3 (4)
  assert.deepEqual(Array.from(cluster.kDistances(X, 1)), [1, 1, 2, 4]);
  // 2nd neighbours: 0->3 (3), 1->3 (2), 3->0 (3), 7->1 (6)
  assert.deepEqual(Array.from(cluster.kDistances(X, 2)), [2, 3, 3, 6]);
  assert.throws(() => cluster.kDistances(X, 4), /only 4 points for k=4: the k-th nearest other point needs at least k\+1 points/);
  assert.throws(() => cluster.kDistances(X, 0), /Expected integer >= 1 for k but received 0 of type number/);
  assert.throws(() => cluster.kDistances(X, 1, { metric: 'l1' as never }), /Expected one of 'euclidean', 'cosine' for metric but received 'l1' of type string/);
});

test('kDistances() with k = minSamples - 1 predicts the core share of dbscan() at eps', () => {
  const { X } = cluster.makeBlobs({ n: 300, centers: 3, dim: 4, std: 1, noise: 0.1, seed: 6 });
  const kd = cluster.kDistances(X, 4);
  const eps = cluster.suggestEps(kd).eps;
  const r = cluster.dbscan(X, { eps, minSamples: 5 });
  assert.equal(r.coreSampleIndices.length, kd.filter((v) => v <= eps).length);
});

test('suggestEps() finds the knee of a curve that is flat then steep', () => {
  const kd = [...Array.from({ length: 90 }, (_, i) => 1 + i * 0.01), ...Array.from({ length: 10 }, (_, i) => 3 + i * 2)];
  const s = cluster.suggestEps(kd);
  assert.equal(s.index, 89);
  close(s.eps, 1.89, 1e-12);
  close(s.shareBelow, 0.9, 1e-12);
  assert.match(s.method, /knee/);
  assert.throws(() => cluster.suggestEps([1, 2]), /suggestEps: only 2 k-distances; at least 3 are needed/);
  assert.throws(() => cluster.suggestEps([1, 2, NaN]), /suggestEps: k-distance NaN at index 2/);
});

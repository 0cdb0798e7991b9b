import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

test('kmeans() agrees with ml-kmeans on well separated blobs: ARI 1, inertia within 0.1%', () => {
  const { X, labels } = cluster.makeBlobs({ n: 600, centers: 5, dim: 8, std: 0.6, seed: 11 });
  const ours = cluster.kmeans(X, { k: 5, nInit: 5, seed: 3 });
  const ml = cluster.mlKmeansBest(cluster.toRows(X), 5, 5, 3);
  assert.equal(cluster.adjustedRandIndex(ours.labels, ml.labels), 1);
  assert.equal(cluster.adjustedRandIndex(labels, ours.labels), 1);
  const a = cluster.inertiaOfLabels(X, ours.labels), b = cluster.inertiaOfLabels(X, ml.labels);
  assert.ok(Math.abs(a - b) <= 1e-3 * a, `inertia ours ${a}, ml-kmeans ${b}`);
  assert.ok(Math.abs(a - ours.inertia) <= 1e-9 * a);
});

test('kmeans() inertia is within 2% of ml-kmeans (or lower) on overlapping face-like data', () => {
  const { X } = cluster.makeBlobs({ n: 800, centers: 6, dim: 32, std: 0.9, onSphere: true, noise: 0.1, seed: 7 });
  const ours = cluster.inertiaOfLabels(X, cluster.kmeans(X, { k: 6, nInit: 5, seed: 1 }).labels);
  const ml = cluster.inertiaOfLabels(X, cluster.mlKmeansBest(cluster.toRows(X), 6, 5, 1).labels);
  assert.ok(ours <= ml * 1.02, `inertia ours ${ours}, ml-kmeans ${ml}`);
});

test('dbscan() agrees with density-clustering on separated blobs with noise: ARI 1, same noise', () => {
  const { X } = cluster.makeBlobs({ n: 500, centers: 4, dim: 3, std: 0.4, noise: 0.05, seed: 2 });
  const ours = cluster.dbscan(X, { eps: 0.8, minSamples: 5 });
  const theirs = cluster.densityDbscan(cluster.toRows(X), 0.8, 5);
  assert.equal(ours.nClusters, 4);
  assert.equal(cluster.adjustedRandIndex(ours.labels, theirs), 1);
  assert.deepEqual(Array.from(theirs).map((l) => l < 0), Array.from(ours.labels).map((l) => l < 0));
});

test('compareLibraries() returns one display-ready row per implementation with ARI vs ours', () => {
  const { X } = cluster.makeBlobs({ n: 300, centers: 3, dim: 4, std: 0.5, seed: 4 });
  const c = cluster.compareLibraries(X, { k: 3, eps: 1, minSamples: 5, nInit: 3 });
  assert.deepEqual(c.table.map((r) => `${r.method}/${r.implementation}`), ['K-Means/ours', 'K-Means/ml-kmeans', 'DBSCAN/ours', 'DBSCAN/density-clustering']);
  assert.deepEqual(Object.keys(c.table[0]), ['method', 'implementation', 'clusters', 'ARI vs ours', 'inertia', 'noise %', 'ms']);
  for (const r of c.table) assert.equal(r['ARI vs ours'], 1);
  assert.equal(c.table[2].inertia, '');
  assert.ok(c.runs.every((r) => r.ms >= 0));
  assert.match(c.summary, /^On all 300 rows \(4 columns\): ml-kmeans agrees with our K-Means at ARI 1\.000 and took [\d.]+x our time; density-clustering agrees with our DBSCAN at ARI 1\.000/);
  const sampled = cluster.compareLibraries(X, { k: 3, eps: 1, maxPoints: 100, nInit: 2 });
  assert.equal(sampled.runs[0].labels.length, 100);
  assert.match(sampled.summary, /^On a random sample of 100 of the 300 rows/);
  assert.throws(() => cluster.compareLibraries(X, { eps: 1 } as never), /for k but received undefined/);
});

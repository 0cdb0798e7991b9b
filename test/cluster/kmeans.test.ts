import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { allClose, close, reference } from './helpers';

const ref = reference();

test('kmeans() from given centres matches scikit-learn (labels, inertia, centroids)', () => {
  const r = cluster.kmeans(ref.X, { k: 3, init: cluster.fromRows(ref.kmeans.init) });
  assert.deepEqual(Array.from(r.labels), ref.kmeans.labels);
  close(r.inertia, ref.kmeans.inertia, 1e-9, 'inertia');
  allClose(r.centroids.data, ref.kmeans.centroids.flat(), 1e-9, 'centroids');
  assert.equal(r.nIter >= 1, true);
  assert.equal(r.converged, true);
});

test('kmeans() with k-means++ finds three separated blobs (ARI 1) and the lloyd algorithm agrees with hamerly', () => {
  const { X, labels } = cluster.makeBlobs({ n: 300, centers: 3, dim: 5, std: 0.5, seed: 3 });
  const a = cluster.kmeans(X, { k: 3, seed: 1 });
  assert.equal(cluster.adjustedRandIndex(labels, a.labels), 1);
  const b = cluster.kmeans(X, { k: 3, seed: 1, algorithm: 'lloyd' });
  assert.deepEqual(Array.from(b.labels), Array.from(a.labels));
  close(a.inertia, b.inertia, 1e-10);
  assert.deepEqual(a.sizes.slice().sort(), [100, 100, 100]);
  assert.equal(a.inertias.length, 10);
  assert.equal(a.inertia, Math.min(...a.inertias));
});

test('kmeans() with a fixed seed gives identical labels on re-run; another seed may differ but stays valid', () => {
  const { X } = cluster.makeBlobs({ n: 400, centers: 5, dim: 8, std: 2, seed: 11 });
  const a = cluster.kmeans(X, { k: 4, seed: 7 });
  const b = cluster.kmeans(X, { k: 4, seed: 7 });
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
  assert.deepEqual(Array.from(a.centroids.data), Array.from(b.centroids.data));
  const c = cluster.kmeans(X, { k: 4, seed: 8 });
  assert.equal(c.labels.length, 400);
});

test('kmeans() inertia decreases with k on the same data', () => {
  const { X } = cluster.makeBlobs({ n: 200, centers: 4, dim: 3, seed: 2 });
  const inertias = [2, 3, 4, 5].map((k) => cluster.kmeans(X, { k, seed: 1, nInit: 3 }).inertia);
  for (let i = 1; i < inertias.length; i++) assert.ok(inertias[i] < inertias[i - 1]);
});

test('kmeans() on duplicate points warns about fewer distinct clusters instead of failing', () => {
  const X = [[1, 1], [1, 1], [1, 1], [2, 2], [2, 2]];
  const r = cluster.kmeans(X, { k: 3, seed: 1 });
  assert.equal(r.labels.length, 5);
  assert.match(r.warnings.join('\n'), /Number of distinct clusters \(2\) found smaller than k \(3\)/);
  close(r.inertia, 0, 1e-12);
});

test('kmeans() re-seeds an empty cluster from the farthest point', () => {
  // centre 2 starts far from every point: it empties at once and takes the farthest point
  const X = [[0, 0], [0, 1], [10, 0], [10, 1], [20, 0]];
  const r = cluster.kmeans(X, { k: 3, init: cluster.fromRows([[0, 0.5], [10, 0.5], [1000, 1000]]) });
  assert.equal(new Set(r.labels).size, 3);
  assert.equal(r.labels[4], 2);
  assert.equal(r.warnings.length, 0);
});

test('kmeans() k=1 puts everything in one cluster at the mean', () => {
  const r = cluster.kmeans([[0, 0], [2, 2], [4, 4]], { k: 1 });
  assert.deepEqual(Array.from(r.labels), [0, 0, 0]);
  assert.deepEqual(Array.from(r.centroids.data), [2, 2]);
});

test('kmeans() warns when maxIter stops it before convergence', () => {
  const { X } = cluster.makeBlobs({ n: 300, centers: 6, dim: 4, std: 3, seed: 4 });
  const r = cluster.kmeans(X, { k: 6, maxIter: 1, nInit: 1, tol: 0 });
  assert.equal(r.converged, false);
  assert.match(r.warnings.join('\n'), /K-Means did not converge in 1 iterations \(k=6\); raise maxIter or tol/);
});

test('predict() of a kmeans() result assigns points to the nearest centroid', () => {
  const model = cluster.kmeans([[0, 0], [0, 1], [10, 10], [10, 11]], { k: 2, seed: 1 });
  const near = Array.from(cluster.predict(model, [[0, 0], [10, 10]]));
  const labels = cluster.predict(model, [[0, 0], [9, 9], [4, 4]]);
  assert.deepEqual(Array.from(labels), [near[0], near[1], near[0]]);
  assert.notEqual(near[0], near[1]);
  assert.deepEqual(Array.from(cluster.predict(model, [[0, 0], [0, 1], [10, 10], [10, 11]])), Array.from(model.labels));
  assert.throws(() => cluster.predict(model, [[0, 0, 0]]), /centroids have 2 columns, X has 3/);
  assert.throws(() => cluster.predict({ estimator: 'pca' } as never, [[0, 0]]), /predict: expected a kmeans\(\), ward\(\), gmm\(\) or dbscan\(\) result but received pca/);
});

test('kmeans() requires k (no silent default)', () => {
  assert.throws(() => cluster.kmeans([[0, 0], [1, 1]], {} as never), /Expected integer in \[1, 1000000\] for k but received undefined/);
  assert.throws(() => cluster.kmeans([[0, 0], [1, 1]], undefined as never), /for k but received undefined/);
});

test('kmeans() rejects bad options and too few points with named errors', () => {
  const X = [[0, 0], [1, 1], [2, 2]];
  assert.throws(() => cluster.kmeans(X, { k: 5 }), /only 3 samples for k=5/);
  assert.throws(() => cluster.kmeans(X, { k: 0 }), /Expected integer in \[1, 1000000\] for k but received 0 of type number/);
  assert.throws(() => cluster.kmeans(X, { k: 2, nInit: 0 }), /Expected integer in \[1, 10000\] for nInit but received 0 of type number/);
  assert.throws(() => cluster.kmeans(X, { k: 2, maxIter: 0 }), /Expected integer in \[1, 1000000\] for maxIter but received 0 of type number/);
  assert.throws(() => cluster.kmeans(X, { k: 2, tol: -1 }), /Expected number >= 0 for tol but received -1 of type number/);
  assert.throws(() => cluster.kmeans(X, { k: 2, seed: -1 }), /Expected integer in \[0, 4294967295\] for seed but received -1 of type number/);
  assert.throws(() => cluster.kmeans(X, { k: 2, algorithm: 'elkan' as never }), /Expected one of 'hamerly', 'lloyd' for algorithm but received 'elkan' of type string/);
  assert.throws(() => cluster.kmeans(X, { k: 2, init: 'kmeans' as never }), /Expected one of 'k-means\+\+', 'random' for init but received 'kmeans' of type string/);
  assert.throws(() => cluster.kmeans(X, { k: 2, init: cluster.fromRows([[0, 0]]) }), /Expected a 2 x 2 matrix of centres for init but received '1 x 2' of type string/);
  assert.throws(() => cluster.kmeans(X, { k: 2, nClusters: 2 } as never), /Expected a known option \(k, nInit, maxIter, tol, seed, init, algorithm\) for kmeans options.nClusters/);
  assert.throws(() => cluster.kmeans([[0, NaN]], { k: 1 }), /X contains NaN at row 0, column 1/);
  assert.throws(() => cluster.kmeans([], { k: 1 }), /empty input: X has 0 rows/);
});

test("kmeans() init 'random' also separates blobs", () => {
  const { X, labels } = cluster.makeBlobs({ n: 150, centers: 3, dim: 2, std: 0.3, seed: 12 });
  const r = cluster.kmeans(X, { k: 3, init: 'random', seed: 2 });
  assert.equal(cluster.adjustedRandIndex(labels, r.labels), 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

const { X, labels } = cluster.makeBlobs({ n: 120, centers: 3, dim: 8, std: 0.5, seed: 2 });

test('umap2d() is deterministic for a seed and keeps blobs apart', () => {
  const a = cluster.umap2d(X, { seed: 3, nEpochs: 100 });
  const b = cluster.umap2d(X, { seed: 3, nEpochs: 100 });
  assert.equal(a.method, 'umap');
  assert.equal(a.embedding.rows, 120);
  assert.equal(a.embedding.cols, 2);
  assert.deepEqual(Array.from(a.embedding.data), Array.from(b.embedding.data));
  const km = cluster.kmeans(a.embedding, { k: 3, seed: 1 });
  assert.equal(cluster.adjustedRandIndex(labels, km.labels), 1);
});

test('umap2d() falls back to PCA with a warning for too few points or too many', () => {
  const few = cluster.umap2d([[0, 1], [1, 0], [2, 2]], { nNeighbors: 5 });
  assert.equal(few.method, 'pca');
  assert.match(few.warnings[0], /only 3 points for nNeighbors=5: PCA projection used instead of UMAP/);
  const many = cluster.umap2d(X, { maxSamples: 100 });
  assert.equal(many.method, 'pca');
  assert.match(many.warnings[0], /120 points exceed maxSamples=100: PCA projection used instead of UMAP/);
});

test('pca2d() projects on the first two components; one feature gives a line', () => {
  const p = cluster.pca2d(X);
  assert.equal(p.method, 'pca');
  const full = cluster.transform(cluster.pca(X, { nComponents: 2 }), X);
  assert.deepEqual(Array.from(p.embedding.data), Array.from(full.data));
  const line = cluster.pca2d([[1], [2]]);
  assert.deepEqual(Array.from(line.embedding.data), [1, 0, 2, 0]);
  assert.match(line.warnings[0], /fewer than 2 points or features/);
});

test('umap2d() rejects bad options with named errors', () => {
  assert.throws(() => cluster.umap2d(X, { nNeighbors: 1 }), /Expected integer in \[2, 1000\] for nNeighbors but received 1 of type number/);
  assert.throws(() => cluster.umap2d(X, { minDist: -1 }), /Expected number in \[0, 10\] for minDist but received -1 of type number/);
  assert.throws(() => cluster.umap2d(X, { seed: -1 }), /Expected integer in \[0, 4294967295\] for seed but received -1 of type number/);
  assert.throws(() => cluster.umap2d(X, { maxSamples: 0 }), /Expected integer >= 1 for maxSamples but received 0 of type number/);
  assert.throws(() => cluster.umap2d(X, { nEpochs: 0 }), /Expected integer in \[1, 100000\] for nEpochs but received 0 of type number/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

const blobs = cluster.makeBlobs({ n: 240, centers: 3, dim: 4, std: 0.4, seed: 5 });
const fresh = cluster.makeBlobs({ n: 60, centers: 3, dim: 4, std: 0.4, seed: 5 }).X;

test('every partition result has labels and k x d centroids (GMM: means and centroids), k required', () => {
  const km = cluster.kmeans(blobs.X, { k: 3, seed: 1 });
  const wd = cluster.ward(blobs.X, { k: 3 });
  const gm = cluster.gmm(blobs.X, { k: 3, seed: 1 });
  for (const r of [km, wd, gm]) {
    assert.equal(r.labels.length, 240);
    assert.deepEqual([r.centroids.rows, r.centroids.cols], [3, 4]);
  }
  assert.equal(gm.centroids, gm.means);
  assert.throws(() => cluster.ward(blobs.X, {} as never), /Expected integer >= 1 for k but received undefined/);
  assert.throws(() => cluster.gmm(blobs.X, {} as never), /Expected integer >= 1 for k but received undefined/);
});

test('predict() on the training rows gives back the labels of kmeans(), ward() and gmm()', () => {
  for (const model of [cluster.kmeans(blobs.X, { k: 3, seed: 1 }), cluster.ward(blobs.X, { k: 3 }), cluster.gmm(blobs.X, { k: 3, seed: 1 })]) {
    assert.deepEqual(Array.from(cluster.predict(model, blobs.X)), Array.from(model.labels), model.estimator);
  }
});

test('predict() on new points from the same blobs agrees with the blobs (ARI 1) for every estimator', () => {
  const truth = cluster.makeBlobs({ n: 60, centers: 3, dim: 4, std: 0.4, seed: 5 }).labels;
  const models = [
    cluster.kmeans(blobs.X, { k: 3, seed: 1 }), cluster.ward(blobs.X, { k: 3 }), cluster.gmm(blobs.X, { k: 3, seed: 1 }),
    cluster.dbscan(blobs.X, { eps: 1.5, minSamples: 5 }),
  ];
  for (const m of models) assert.equal(cluster.adjustedRandIndex(truth, cluster.predict(m, fresh)), 1, m.estimator);
});

test('dbscan() centroids are the means of its clusters; predict() marks far points as noise', () => {
  const X = [[0], [0.2], [0.4], [10], [10.2], [10.4], [50]];
  const r = cluster.dbscan(X, { eps: 0.5, minSamples: 2 });
  assert.deepEqual(Array.from(r.labels), [0, 0, 0, 1, 1, 1, -1]);
  assert.deepEqual(Array.from(r.centroids.data).map((v) => +v.toFixed(9)), [0.2, 10.2]);
  assert.deepEqual(Array.from(cluster.predict(r, [[0.1], [10.6], [5], [-0.6]])), [0, 1, -1, -1]);
  assert.throws(() => cluster.predict(r, [[0, 1]]), /dbscan predict: X has 2 columns, DBSCAN was fitted on 1/);
  const cos = cluster.dbscan([[1, 0], [2, 0.01], [0, 1], [0.01, 3]], { eps: 0.01, minSamples: 2, metric: 'cosine' });
  assert.deepEqual(Array.from(cluster.predict(cos, [[5, 0], [0, 7], [1, 1]])), [0, 1, -1]);
});

test('gmm predict() gives the most probable component and names a column mismatch', () => {
  const g = cluster.gmm([[0], [0.1], [0.2], [9], [9.1], [9.2]], { k: 2, seed: 1 });
  const [a, b] = [g.labels[0], g.labels[3]];
  assert.deepEqual(Array.from(cluster.predict(g, [[0.05], [8.8], [4]])).slice(0, 2), [a, b]);
  assert.throws(() => cluster.predict(g, [[0, 1]]), /gmm predict: X has 2 columns, the mixture was fitted on 1/);
});

test('transform() and inverseTransform() are the one way to apply a PCA; pca() takes no seed', () => {
  const p = cluster.pca(blobs.X, { nComponents: 2 });
  const Z = cluster.transform(p, blobs.X);
  assert.deepEqual([Z.rows, Z.cols], [240, 2]);
  assert.equal(typeof (p as unknown as { transform?: unknown }).transform, 'undefined'); // a plain object
  assert.equal(cluster.inverseTransform(p, Z).cols, 4);
  assert.throws(() => cluster.pca(blobs.X, { seed: 1 } as never), /Expected a known option \(nComponents, varianceToKeep, whiten\) for pca options.seed/);
});

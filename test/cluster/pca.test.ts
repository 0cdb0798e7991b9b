import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { allClose, reference } from './helpers';

const ref = reference();

test('pca() matches scikit-learn: components (with signs), explained variance and ratio, mean, transform', () => {
  const p = cluster.pca(ref.X, { nComponents: 3 });
  assert.equal(p.nComponents, 3);
  allClose(p.components.data, ref.pca.components.flat(), 1e-8, 'components');
  allClose(p.explainedVariance, ref.pca.explainedVariance, 1e-9, 'explainedVariance');
  allClose(p.explainedVarianceRatio, ref.pca.explainedVarianceRatio, 1e-9, 'explainedVarianceRatio');
  allClose(p.mean, ref.pca.mean, 1e-12, 'mean');
  allClose(cluster.transform(p, ref.X.slice(0, 5)).data, ref.pca.transformed.flat(), 1e-8, 'transform');
});

test('pca() with varianceToKeep keeps the fewest components exceeding it (as scikit-learn)', () => {
  const p = cluster.pca(ref.X, { varianceToKeep: 0.9 });
  assert.equal(p.nComponents, ref.pca.nFor90);
  assert.ok(p.cumulativeVarianceRatio[p.nComponents - 1] > 0.9);
});

test('pca() with all components reconstructs the data exactly and the ratios sum to 1', () => {
  const p = cluster.pca(ref.X);
  assert.equal(p.nComponents, 4);
  const back = cluster.inverseTransform(p, cluster.transform(p, ref.X));
  allClose(back.data, ref.X.flat(), 1e-9, 'reconstruction');
  assert.ok(Math.abs(p.cumulativeVarianceRatio[3] - 1) < 1e-12);
});

test('pca() whiten gives unit-variance projections', () => {
  const p = cluster.pca(ref.X, { nComponents: 2, whiten: true });
  const y = cluster.transform(p, ref.X);
  for (let t = 0; t < 2; t++) {
    let s = 0;
    for (let i = 0; i < y.rows; i++) s += y.data[i * 2 + t] ** 2;
    assert.ok(Math.abs(s / (y.rows - 1) - 1) < 1e-9);
  }
  const back = cluster.inverseTransform(p, y);
  assert.equal(back.cols, 4);
});

test('pca() of a 9000 x 130 matrix takes well under a second', () => {
  const { X } = cluster.makeBlobs({ n: 9000, centers: 6, dim: 130, onSphere: true, seed: 1 });
  const t = performance.now();
  const p = cluster.pca(X, { nComponents: 50 });
  assert.equal(p.components.rows, 50);
  assert.ok(performance.now() - t < 3000);
});

test('pca() rejects bad options and data with named errors', () => {
  assert.throws(() => cluster.pca([[1, 2]]), /pca: only 1 sample; at least 2 are needed/);
  assert.throws(() => cluster.pca(ref.X, { nComponents: 5 }), /Expected integer in \[1, 4\] for nComponents but received 5 of type number/);
  assert.throws(() => cluster.pca(ref.X, { varianceToKeep: 1.5 }), /Expected number in \[0, 1\] for varianceToKeep but received 1.5 of type number/);
  assert.throws(() => cluster.pca(ref.X, { varianceToKeep: 0 }), /Expected number in \(0, 1\] for varianceToKeep but received 0 of type number/);
  const p = cluster.pca(ref.X, { nComponents: 2 });
  assert.throws(() => cluster.transform(p, [[1, 2]]), /pca transform: X has 2 columns, the PCA was fitted on 4/);
  assert.throws(() => cluster.inverseTransform(p, [[1, 2, 3]]), /pca inverseTransform: Y has 3 columns, the PCA has 2 components/);
});

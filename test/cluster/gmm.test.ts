import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { close, reference } from './helpers';

const ref = reference();

test('gmm() diagonal matches scikit-learn on separated blobs (labels up to renaming, log-likelihood, BIC)', () => {
  const r = cluster.gmm(ref.X, { k: 3 });
  assert.equal(cluster.adjustedRandIndex(r.labels, ref.gmm.labels), 1);
  close(r.logLikelihood, ref.gmm.meanLogLikelihood, 1e-3, 'mean log-likelihood');
  close(r.bic, ref.gmm.bic, 1e-3, 'BIC');
  assert.equal(r.nParameters, 2 * 3 * 4 + 2);
  assert.ok(r.converged);
  close(r.weights.reduce((a, b) => a + b, 0), 1, 1e-12);
  for (let i = 0; i < 60; i++) {
    let s = 0;
    for (let c = 0; c < 3; c++) s += r.probabilities.data[i * 3 + c];
    close(s, 1, 1e-12);
  }
});

test('gmm() BIC is lowest at the true number of components on separated blobs', () => {
  const { X } = cluster.makeBlobs({ n: 300, centers: 3, dim: 2, std: 0.5, seed: 4 });
  const bics = [1, 2, 3, 4, 5].map((k) => cluster.gmm(X, { k, seed: 1 }).bic);
  assert.equal(bics.indexOf(Math.min(...bics)), 2);
});

test('gmm() is deterministic for a seed', () => {
  const { X } = cluster.makeBlobs({ n: 200, centers: 4, dim: 3, std: 2, seed: 5 });
  const a = cluster.gmm(X, { k: 4, seed: 3, nInit: 2 });
  const b = cluster.gmm(X, { k: 4, seed: 3, nInit: 2 });
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
  assert.equal(a.bic, b.bic);
});

test('gmm() warns when it stops before convergence', () => {
  const { X } = cluster.makeBlobs({ n: 200, centers: 4, dim: 3, std: 3, seed: 5 });
  const r = cluster.gmm(X, { k: 4, maxIter: 1, tol: 0 });
  assert.match(r.warnings.join('\n'), /GMM did not converge in 1 iterations \(k=4\); raise maxIter or tol/);
});

test('gmm() warns about a component that owns no sample', () => {
  const r = cluster.gmm([[0, 0], [0, 0], [0, 0], [5, 5]], { k: 3 });
  assert.match(r.warnings.join('\n'), /of 3 GMM components own no sample/);
});

test('gmm() rejects bad options with named errors', () => {
  assert.throws(() => cluster.gmm(ref.X, { k: 0 }), /Expected integer >= 1 for k but received 0 of type number/);
  assert.throws(() => cluster.gmm([[0], [1]], { k: 3 }), /only 2 samples for k=3/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, maxIter: 0 }), /Expected integer >= 1 for maxIter but received 0 of type number/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, tol: -1 }), /Expected number >= 0 for tol but received -1 of type number/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, regCovar: -1 }), /Expected number >= 0 for regCovar but received -1 of type number/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, nInit: 0 }), /Expected integer >= 1 for nInit but received 0 of type number/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, seed: 1.5 }), /Expected integer in \[0, 4294967295\] for seed but received 1.5 of type number/);
  assert.throws(() => cluster.gmm(ref.X, { k: 3, covarianceType: 'full' as never }), /gmm: covarianceType 'full' is not supported, only 'diag'/);
});

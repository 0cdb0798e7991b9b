/** Shared helpers of the cluster tests: the scikit-learn reference values and small assertions. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';

export interface Reference {
  X: number[][];
  truth: number[];
  other: number[];
  kmeans: { init: number[][]; labels: number[]; inertia: number; centroids: number[][] };
  silhouette: { euclidean: number; cosine: number; samplesEuclidean: number[]; samplesCosine: number[]; otherMaskedEuclidean: number };
  daviesBouldin: number;
  calinskiHarabasz: number;
  otherMaskedDaviesBouldin: number;
  otherMaskedCalinskiHarabasz: number;
  ari: number;
  nmi: number;
  ariKm: number;
  pca: { components: number[][]; explainedVariance: number[]; explainedVarianceRatio: number[]; mean: number[]; transformed: number[][]; nFor90: number };
  dbscan: { eps: number; minSamples: number; labels: number[]; core: number[] };
  ward: { labels: number[]; heights: number[]; sizes: number[] };
  gmm: { bic: number; meanLogLikelihood: number; labels: number[] };
  external: { a: number[]; b: number[]; ari: number; nmi: number }[];
}

/** test/cluster/fixtures/sklearn-reference.json (made by make-fixtures.py). */
export function reference(): Reference {
  // compiled to build/test/cluster: the fixtures stay in the source tree
  const file = path.resolve(__dirname, '..', '..', '..', 'test', 'cluster', 'fixtures', 'sklearn-reference.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
}

export function close(actual: number, expected: number, tol = 1e-9, what = 'value'): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} differs from ${expected} by more than ${tol}`);
}

export function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], tol, `${what}[${i}]`);
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { allClose, close, reference } from './helpers';

const ref = reference();

test('silhouetteScore() and silhouetteSamples() match scikit-learn (euclidean and cosine)', () => {
  close(cluster.silhouetteScore(ref.X, ref.truth), ref.silhouette.euclidean, 1e-10, 'euclidean');
  close(cluster.silhouetteScore(ref.X, ref.truth, { metric: 'cosine' }), ref.silhouette.cosine, 1e-10, 'cosine');
  allClose(cluster.silhouetteSamples(ref.X, ref.truth), ref.silhouette.samplesEuclidean, 1e-10, 'samples euclidean');
  allClose(cluster.silhouetteSamples(ref.X, ref.truth, { metric: 'cosine' }), ref.silhouette.samplesCosine, 1e-9, 'samples cosine');
});

test('silhouette() on two separated blobs is close to 1, and a point alone in its cluster scores 0', () => {
  const X = [[0, 0], [0, 0.1], [0.1, 0], [10, 10], [10, 10.1], [50, 50]];
  const s = cluster.silhouetteSamples(X, [0, 0, 0, 1, 1, 2]);
  for (let i = 0; i < 5; i++) assert.ok(s[i] > 0.95);
  assert.equal(s[5], 0);
});

test('silhouette() of hand-computed 1-D points', () => {
  // points 0, 1 | 4: a(0)=1, b(0)=4 -> 0.75; a(1)=1, b(1)=3 -> 2/3; point 4 alone -> 0
  const s = cluster.silhouetteSamples([[0], [1], [4]], [0, 0, 1]);
  allClose(s, [0.75, 2 / 3, 0], 1e-12);
});

test('silhouette() leaves noise (-1) out: the same as scoring the non-noise points, NaN per noise sample', () => {
  close(cluster.silhouetteScore(ref.X, ref.other), ref.silhouette.otherMaskedEuclidean, 1e-10);
  const s = cluster.silhouetteSamples(ref.X, ref.other);
  assert.ok(Number.isNaN(s[5]) && Number.isNaN(s[33]));
  close(cluster.daviesBouldin(ref.X, ref.other), ref.otherMaskedDaviesBouldin, 1e-10);
  close(cluster.calinskiHarabasz(ref.X, ref.other), ref.otherMaskedCalinskiHarabasz, 1e-10);
});

test('silhouetteSamplesMany() scores several labelings in one pass like separate calls', () => {
  const { X } = cluster.makeBlobs({ n: 300, centers: 4, dim: 6, seed: 5 });
  const l2 = cluster.kmeans(X, { k: 2, nInit: 2 }).labels;
  const l4 = cluster.kmeans(X, { k: 4, nInit: 2 }).labels;
  for (const metric of ['euclidean', 'cosine'] as const) {
    const [a, b] = cluster.silhouetteSamplesMany(X, [l2, l4], { metric });
    allClose(a, cluster.silhouetteSamples(X, l2, { metric }), 1e-12);
    allClose(b, cluster.silhouetteSamples(X, l4, { metric }), 1e-12);
  }
});

test('daviesBouldin() and calinskiHarabasz() match scikit-learn', () => {
  close(cluster.daviesBouldin(ref.X, ref.truth), ref.daviesBouldin, 1e-10, 'DB');
  close(cluster.calinskiHarabasz(ref.X, ref.truth), ref.calinskiHarabasz, 1e-10, 'CH');
});

test('daviesBouldin() is 0 and calinskiHarabasz() 1 when every cluster is a single repeated point', () => {
  const X = [[0, 0], [0, 0], [5, 5], [5, 5]];
  assert.equal(cluster.daviesBouldin(X, [0, 0, 1, 1]), 0);
  assert.equal(cluster.calinskiHarabasz(X, [0, 0, 1, 1]), 1);
});

test('adjustedRandIndex() and normalizedMutualInfo() match scikit-learn on hand-made labelings', () => {
  for (const e of ref.external) {
    close(cluster.adjustedRandIndex(e.a, e.b), e.ari, 1e-12, `ARI ${JSON.stringify(e)}`);
    close(cluster.normalizedMutualInfo(e.a, e.b), e.nmi, 1e-12, `NMI ${JSON.stringify(e)}`);
  }
  close(cluster.adjustedRandIndex(ref.truth, ref.other), ref.ari, 1e-12, 'ARI with noise label');
  close(cluster.normalizedMutualInfo(ref.truth, ref.other), ref.nmi, 1e-12, 'NMI with noise label');
  // a renaming is a perfect match
  assert.equal(cluster.adjustedRandIndex([0, 0, 1, 2], [5, 5, 3, 1]), 1);
  assert.equal(cluster.normalizedMutualInfo([0, 0, 1, 2], [5, 5, 3, 1]), 1);
});

test('metrics reject a single cluster, too many clusters, empty and mismatched labelings', () => {
  assert.throws(() => cluster.silhouetteScore([[0], [1], [2]], [0, 0, 0]), /silhouette: number of labels is 1; valid values are 2 to n_samples - 1 = 2 \(inclusive\), noise excluded/);
  assert.throws(() => cluster.silhouetteScore([[0], [1], [2]], [0, 1, 2]), /silhouette: number of labels is 3; valid values are 2 to n_samples - 1 = 2/);
  assert.throws(() => cluster.daviesBouldin([[0], [1]], [0, 0]), /daviesBouldin: number of labels is 1/);
  assert.throws(() => cluster.calinskiHarabasz([[0], [1]], [0, 0]), /calinskiHarabasz: number of labels is 1/);
  assert.throws(() => cluster.silhouetteScore([[0], [1], [2]], [0, 1]), /labels has 2 entries for 3 samples/);
  assert.throws(() => cluster.silhouetteScore([[0], [1], [2]], [0, 1, 1], { metric: 'manhattan' as never }), /Expected one of 'euclidean', 'cosine' for metric but received 'manhattan' of type string/);
  assert.throws(() => cluster.adjustedRandIndex([], []), /adjustedRandIndex: empty labelings/);
  assert.throws(() => cluster.normalizedMutualInfo([], []), /normalizedMutualInfo: empty labelings/);
  assert.throws(() => cluster.adjustedRandIndex([0, 1], [0]), /labelsPred has 1 entries for 2 samples/);
  assert.throws(() => cluster.checkMetric('l1'), /Expected one of 'euclidean', 'cosine' for metric but received 'l1' of type string/);
});

test('normalizedMutualInfo() of independent labelings is 0, of one constant labeling against itself 1', () => {
  assert.equal(cluster.normalizedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1]), 0);
  assert.equal(cluster.normalizedMutualInfo([3, 3, 3], [1, 1, 1]), 1);
});

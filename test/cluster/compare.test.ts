import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { close, reference } from './helpers';

const ref = reference();

test('compareMethods() tabulates K-Means, DBSCAN, Ward and GMM on the same data', () => {
  const km = cluster.kmeans(ref.X, { k: 3, seed: 1 });
  const db = cluster.dbscan(ref.X, { eps: 1.2, minSamples: 4 });
  const wd = cluster.ward(ref.X, { k: 3 });
  const gm = cluster.gmm(ref.X, { k: 3 });
  const c = cluster.compareMethods(ref.X, [
    { method: 'K-Means', params: { k: 3, nInit: 10 }, labels: km.labels },
    { method: 'DBSCAN', params: { eps: 1.2, minSamples: 4 }, labels: db.labels },
    { method: 'Ward', params: 'k=3', labels: wd.labels },
    { method: 'GMM', params: { k: 3, covariance: 'diag' }, labels: gm.labels },
    { method: 'one cluster', labels: new Array(60).fill(0) },
  ], { metric: 'euclidean' });
  assert.equal(c.rows.length, 5);
  const [k, d, w, g, one] = c.rows;
  assert.equal(k.params, 'k=3, nInit=10');
  assert.equal(k.nClusters, 3);
  close(k.silhouette, cluster.silhouetteScore(ref.X, km.labels), 1e-12);
  close(d.noiseShare, db.noiseShare, 1e-12);
  close(d.silhouette, cluster.silhouetteScore(ref.X, db.labels), 1e-12);
  close(w.daviesBouldin, cluster.daviesBouldin(ref.X, wd.labels), 1e-12);
  close(g.calinskiHarabasz, cluster.calinskiHarabasz(ref.X, gm.labels), 1e-12);
  assert.deepEqual(k.sizes, [20, 20, 20]);
  assert.ok(Number.isNaN(one.silhouette));
  assert.equal(one.note, '1 cluster: metrics need 2 or more');
  assert.match(c.text, /^method\s+params\s+clusters\s+noise\s+silhouette \(euclidean\)/);
  assert.match(c.text, /DBSCAN\s+eps=1.2, minSamples=4\s+3\s+\d+\.\d%/);
});

test('compareMethods() rejects bad input with named errors', () => {
  assert.throws(() => cluster.compareMethods(ref.X, []), /Expected a non-empty array of \{ method, params, labels \} for results but received an array of length 0/);
  assert.throws(() => cluster.compareMethods(ref.X, [{ labels: ref.truth } as never]), /Expected a method name for results\[0\].method but received undefined/);
  assert.throws(() => cluster.compareMethods(ref.X, [{ method: 'x', labels: [0, 1] }]), /results\[0\].labels has 2 entries for 60 samples/);
  assert.throws(() => cluster.compareMethods(ref.X, [{ method: 'x', labels: ref.truth }], { metric: 'l1' as never }), /Expected one of 'euclidean', 'cosine' for metric but received 'l1' of type string/);
});

test('textTable() aligns columns', () => {
  assert.equal(cluster.textTable(['a', 'bb'], [['xyz', '1']]), 'a    bb\n---  --\nxyz   1');
  assert.equal(cluster.textTable(['a', 'bb'], [['xyz', '1']], ['r', 'l']), '  a  bb\n---  --\nxyz  1');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, stages } from 'facetype';

type Score = cluster.KAnalysis['scores'][number];

/** A hand-made analysis (only the fields chooseK reads matter). */
function analysis(rows: [number, number, number, number, number][]): cluster.KAnalysis {
  const scores = rows.map(([k, inertia, silhouette, daviesBouldin, stability]) => ({
    k, inertia, silhouette, daviesBouldin, calinskiHarabasz: 1000 / k, stability, stabilityStd: 0, stabilityMin: stability,
    stabilityScores: [stability], sizes: [], nIter: 1, labels: new Int32Array(0), centroids: cluster.matrix(0, 0), silhouetteSamples: new Float64Array(0), warnings: [],
  })) as Score[];
  return { scores, ks: rows.map((r) => r[0]), metric: 'cosine', nInit: 10, seed: 42, bootstrap: { samples: 20, fraction: 0.8, nInit: 3 }, n: 1000, d: 10, workers: 1, timings: { kmeans: 0, silhouette: 0, otherMetrics: 0, stability: 0, total: 0 }, warnings: [] };
}

// the CelebA curves of the real run: silhouette falls with k, inertia bends at k=4
const celeba = analysis([
  [2, 1673, 0.474, 1.46, 1.0], [3, 1427, 0.384, 1.49, 0.99], [4, 1267, 0.329, 1.59, 1.0], [5, 1220, 0.241, 2.09, 0.92],
  [6, 1175, 0.188, 2.37, 0.92], [7, 1141, 0.195, 2.27, 0.82], [8, 1115, 0.141, 2.46, 0.87], [9, 1096, 0.109, 2.65, 0.8], [10, 1080, 0.089, 2.76, 0.83],
]);

test('inertiaKnee() finds the point farthest below the chord', () => {
  const knee = cluster.inertiaKnee(celeba.scores);
  assert.equal(knee.k, 4);
  assert.ok(Math.abs(knee.distance - 0.435) < 0.01);
  assert.deepEqual(cluster.inertiaKnee([{ k: 2, inertia: 3 }, { k: 3, inertia: 2 }, { k: 4, inertia: 1 }]).k, 2);
});

test('chooseK() picks the elbow when it is stable and well separated, and says why with the numbers', () => {
  const c = cluster.chooseK(celeba);
  assert.equal(c.k, 4);
  assert.match(c.justification, /^k=4: the elbow of the inertia curve, stable \(bootstrap ARI 1\.00\) and well separated \(silhouette 0\.329, Davies-Bouldin 1\.59\); one more cluster would lower the silhouette to 0\.241/);
  assert.match(c.justification, /The best silhouette alone would pick k=2 \(0\.474\)/);
  assert.equal(c.reasons.length, 5);
});

test('chooseK() steps down from an unstable elbow to the largest stable, separated k below it', () => {
  const a = analysis([[2, 100, 0.4, 1.2, 1.0], [3, 80, 0.3, 1.3, 0.95], [4, 50, 0.25, 1.5, 0.5], [5, 48, 0.2, 1.8, 0.6], [6, 47, 0.15, 2, 0.6]]);
  const c = cluster.chooseK(a);
  assert.equal(c.k, 3);
  assert.match(c.reasons[0], /k=4 is unstable or poorly separated, so the largest smaller k that is neither: k=3/);
});

test('chooseK() honours a fixed k and the silhouette rule', () => {
  const fixed = cluster.chooseK(celeba, { k: 6 });
  assert.equal(fixed.k, 6);
  assert.match(fixed.justification, /^k=6 was fixed by the user .*the metrics alone would choose k=4 \(elbow\) or k=2 \(best silhouette\)/);
  assert.equal(cluster.chooseK(celeba, { rule: 'silhouette' }).k, 2);
  assert.throws(() => cluster.chooseK(celeba, { k: 11 }), /Expected integer in \[2, 10\] for k but received 11 of type number/);
});

test('kRange() narrows k for small sets and refuses tiny ones', () => {
  assert.deepEqual(stages.kRange(9000), { kMin: 2, kMax: 10 });
  assert.deepEqual(stages.kRange(12), { kMin: 2, kMax: 6 });
  assert.throws(() => stages.kRange(4), /only 4 faces: at least 6 are needed/);
});

test('slug() makes folder names of labels', () => {
  assert.equal(stages.slug('older men, neutral'), 'older-men-neutral');
  assert.equal(stages.slug('young women (mean age 20) #0'), 'young-women-mean-age-20-0');
});

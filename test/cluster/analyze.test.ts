import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

const blobs = cluster.makeBlobs({ n: 240, centers: 4, dim: 6, std: 0.6, seed: 31 });

test('analyzeK() on four separated blobs: best silhouette and a stable fit at k=4, chooseK() picks 4', async () => {
  const a = await cluster.analyzeK(blobs.X, { kMin: 2, kMax: 6, nInit: 4, seed: 1, metric: 'euclidean', bootstrap: { samples: 5, fraction: 0.8, nInit: 2 }, workers: 1 });
  assert.deepEqual(a.ks, [2, 3, 4, 5, 6]);
  const s4 = a.scores[2];
  assert.equal(s4.k, 4);
  assert.equal(Math.max(...a.scores.map((s) => s.silhouette)), s4.silhouette);
  assert.ok(s4.stability > 0.99);
  assert.equal(s4.stabilityScores.length, 5);
  assert.equal(cluster.adjustedRandIndex(blobs.labels, s4.labels), 1);
  for (let i = 1; i < a.scores.length; i++) assert.ok(a.scores[i].inertia < a.scores[i - 1].inertia);
  // the per-k numbers are the ones of the standalone functions
  assert.ok(Math.abs(s4.silhouette - cluster.silhouetteScore(blobs.X, s4.labels)) < 1e-12);
  assert.ok(Math.abs(s4.daviesBouldin - cluster.daviesBouldin(blobs.X, s4.labels)) < 1e-12);
  assert.equal(s4.silhouetteSamples.length, 240);
  const choice = cluster.chooseK(a, { rule: 'silhouette' });
  assert.equal(choice.k, 4);
  assert.match(choice.justification, /^k=4: silhouette 0\.\d\d \(best of 2\.\.6, next 0\.\d\d at k=\d\), stability ARI 1\.00 over 5 bootstraps, Davies-Bouldin \d\.\d\d \(lowest\), Calinski-Harabasz \d+ \(highest\)\.$/);
});

test('analyzeK() gives identical results with 1 and 2 worker threads and on re-run (fixed seed)', async () => {
  const opts = { kMin: 2, kMax: 5, nInit: 3, seed: 9, bootstrap: { samples: 3 } };
  const a = await cluster.analyzeK(blobs.X, { ...opts, workers: 1 });
  const b = await cluster.analyzeK(blobs.X, { ...opts, workers: 2 });
  const c = await cluster.analyzeK(blobs.X, { ...opts, workers: 2, metric: 'euclidean' });
  const d = await cluster.analyzeK(blobs.X, { ...opts, workers: 1, metric: 'euclidean' });
  assert.equal(b.workers, 2);
  for (let t = 0; t < a.scores.length; t++) {
    assert.deepEqual(Array.from(a.scores[t].labels), Array.from(b.scores[t].labels));
    assert.equal(a.scores[t].inertia, b.scores[t].inertia);
    assert.equal(a.scores[t].silhouette, b.scores[t].silhouette);
    assert.deepEqual(a.scores[t].stabilityScores, b.scores[t].stabilityScores);
    assert.ok(Math.abs(c.scores[t].silhouette - d.scores[t].silhouette) < 1e-12);
  }
  // the same as a standalone kmeans() with the same seed and restarts
  const km = cluster.kmeans(blobs.X, { k: 3, nInit: 3, seed: 9 });
  assert.deepEqual(Array.from(a.scores[1].labels), Array.from(km.labels));
});

test('analyzeK() without bootstrap reports NaN stability and chooseK() says the choice rests on the silhouette', async () => {
  const a = await cluster.analyzeK(blobs.X, { kMax: 5, nInit: 2, bootstrap: { samples: 0 }, workers: 1, keepLabels: false });
  assert.ok(a.scores.every((s) => Number.isNaN(s.stability)));
  assert.equal(a.scores[0].labels.length, 0);
  const c = cluster.chooseK(a, { rule: 'silhouette' });
  assert.equal(c.k, 4);
  assert.match(c.reasons[0], /stability was not measured \(no bootstrap\)/);
  assert.match(c.justification, /stability not measured/);
});

test('analyzeK() rejects bad options and too little data with named errors', async () => {
  await assert.rejects(cluster.analyzeK([[0], [1], [2]], { kMax: 3 }), /only 3 samples for kMax=3 \(the silhouette needs at least kMax \+ 1\)/);
  await assert.rejects(cluster.analyzeK(blobs.X, { kMin: 1 }), /Expected integer in \[2, 1000\] for kMin but received 1 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { kMin: 5, kMax: 4 }), /Expected integer in \[5, 1000\] for kMax but received 4 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { nInit: 0 }), /Expected integer in \[1, 1000\] for nInit but received 0 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { seed: -1 }), /Expected integer in \[0, 4294967295\] for seed but received -1 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { metric: 'l1' as never }), /Expected one of 'euclidean', 'cosine' for metric but received 'l1' of type string/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { samples: -1 } }), /Expected integer in \[0, 1000\] for bootstrap.samples but received -1 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { fraction: 2 } }), /Expected number in \[0, 1\] for bootstrap.fraction but received 2 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { fraction: 1 } }), /Expected number in \(0, 1\) for bootstrap.fraction but received 1 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { nInit: 0 } }), /Expected integer in \[1, 1000\] for bootstrap.nInit but received 0 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { workers: -1 }), /Expected integer in \[0, 64\] for workers but received -1 of type number/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { fraction: 0.03 } }), /bootstrap subsets of 7 samples \(fraction 0.03 of 240\) are too small for kMax=10/);
  await assert.rejects(cluster.analyzeK(blobs.X, { bootstrap: { sample: 3 } as never }), /Expected a known option \(samples, fraction, nInit\) for bootstrap options.sample/);
  await assert.rejects(cluster.analyzeK([[0, NaN]]), /X contains NaN at row 0, column 1/);
});

/** A hand-made analysis for chooseK's silhouette rule (inertia plays no part in it). */
function analysis(rows: [number, number, number, number, number][]): cluster.AnalysisLike {
  return {
    scores: rows.map(([k, silhouette, stability, daviesBouldin, calinskiHarabasz]) => ({ k, silhouette, stability, daviesBouldin, calinskiHarabasz, inertia: 0 })),
    bootstrap: { samples: 20 },
  };
}

test('chooseK() with a clear winner picks it and cites its numbers and ranks', () => {
  const c = cluster.chooseK(analysis([
    [2, 0.15, 0.95, 2.1, 700], [3, 0.19, 0.9, 1.8, 800], [4, 0.21, 0.93, 1.61, 850], [5, 0.14, 0.85, 1.55, 820],
  ]), { rule: 'silhouette' });
  assert.equal(c.k, 4);
  assert.equal(c.justification, 'k=4: silhouette 0.21 (best of 2..5, next 0.19 at k=3), stability ARI 0.93 over 20 bootstraps, Davies-Bouldin 1.61 (2nd lowest), Calinski-Harabasz 850 (highest).');
  assert.deepEqual(c.stableKs, [2, 3, 4, 5]);
  assert.deepEqual(c.nearTies, [4]);
});

test('chooseK() leaves unstable k out even when their silhouette is higher', () => {
  const c = cluster.chooseK(analysis([
    [2, 0.15, 0.95, 2.1, 700], [3, 0.30, 0.55, 1.5, 900], [4, 0.21, 0.88, 1.61, 850],
  ]), { rule: 'silhouette' });
  assert.equal(c.k, 4);
  assert.match(c.reasons.join('\n'), /unstable, left out: 3 \(0.55\)/);
  assert.match(c.justification, /^k=4: silhouette 0.210 \(best among stable k; higher at unstable k=3: 0.30\), stability ARI 0.88/);
});

test('chooseK() on a near-tie prefers the smaller k', () => {
  const c = cluster.chooseK(analysis([
    [2, 0.12, 0.95, 2.1, 700], [3, 0.205, 0.9, 1.8, 800], [4, 0.21, 0.93, 1.61, 850],
  ]), { rule: 'silhouette' });
  assert.equal(c.k, 3);
  assert.deepEqual(c.nearTies, [3, 4]);
  assert.match(c.justification, /^k=3: silhouette 0.205 \(within 0.01 of the best, 0.210 at k=4: the smaller k wins\)/);
  assert.match(c.reasons.join('\n'), /within 0.01 of it: k=3 \(0.205\), k=4 \(0.210\): the smallest, k=3, wins the near-tie/);
  assert.match(c.reasons.join('\n'), /note: Davies-Bouldin and Calinski-Harabasz both prefer k=4/);
  assert.equal(cluster.chooseK(analysis([[2, 0.12, 0.95, 2.1, 700], [3, 0.205, 0.9, 1.8, 800], [4, 0.21, 0.93, 1.61, 850]]), { rule: 'silhouette', tolerance: 0 }).k, 4);
});

test('chooseK() when every k is unstable keeps all of them and says so', () => {
  const c = cluster.chooseK(analysis([[2, 0.1, 0.5, 2.0, 500], [3, 0.12, 0.6, 1.9, 520], [4, 0.08, 0.4, 2.2, 480]]), { rule: 'silhouette' });
  assert.equal(c.k, 3);
  assert.match(c.reasons[0], /no k reaches stability 0.80 \(best: ARI 0.60 at k=3\): every k is kept/);
  assert.match(c.justification, /stability ARI 0.60 over 20 bootstraps \(no k is stable\)/);
  assert.deepEqual(c.stableKs, []);
});

test('chooseK() respects maxK and rejects bad input with named errors', () => {
  const a = analysis([[2, 0.1, 0.9, 2, 500], [11, 0.5, 0.9, 1, 900]]);
  assert.equal(cluster.chooseK(a, { rule: 'silhouette' }).k, 2);
  assert.throws(() => cluster.chooseK(a, { rule: 'silhouette', maxK: 1 }), /Expected integer >= 2 for maxK but received 1 of type number/);
  assert.throws(() => cluster.chooseK(a, { rule: 'silhouette', minStability: 2 }), /Expected number in \[-1, 1\] for minStability but received 2 of type number/);
  assert.throws(() => cluster.chooseK(a, { rule: 'silhouette', tolerance: -1 }), /Expected number >= 0 for tolerance but received -1 of type number/);
  assert.throws(() => cluster.chooseK(null as never), /Expected an analyzeK\(\) result for analysis but received null/);
  assert.throws(() => cluster.chooseK(analysis([[11, 0.5, 0.9, 1, 900]]), { rule: 'silhouette' }), /chooseK: no k <= maxK=10 with a finite silhouette in the analysis/);
});

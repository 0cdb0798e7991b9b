import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

const scores = (rows: [number, number, number, number][]): cluster.AnalysisLike => ({
  scores: rows.map(([k, inertia, silhouette, stability]) => ({ k, inertia, silhouette, stability, daviesBouldin: 1, calinskiHarabasz: 100 })),
  bootstrap: { samples: 20, fraction: 0.8 },
});
// the elbow is at k=4 (stability 0.85, silhouette 0.2 against the best 0.5 at k=2)
const a = scores([[2, 100, 0.5, 1], [3, 80, 0.3, 0.9], [4, 50, 0.2, 0.85], [5, 48, 0.15, 0.9], [6, 47, 0.1, 0.9]]);

test('chooseK() thresholds come from DEFAULTS.chooseK and can be changed by name', () => {
  assert.deepEqual(
    { maxK: cluster.DEFAULTS.chooseK.maxK, minStability: cluster.DEFAULTS.chooseK.minStability, share: cluster.DEFAULTS.chooseK.minSeparation },
    { maxK: 10, minStability: 0.8, share: 0.5 },
  );
  // default: silhouette 0.2 < half of 0.5, so the elbow steps down to k=3 (0.3)
  assert.equal(cluster.chooseK(a).k, 3);
  assert.equal(cluster.chooseK(a, { minSeparation: 0.4 }).k, 4);
  assert.match(cluster.chooseK(a, { minSeparation: 0.4 }).reasons[2], /at least 40% of the best stable one/);
  // a stricter stability threshold leaves k=3 and k=4 out
  assert.equal(cluster.chooseK(a, { minStability: 0.95 }).k, 2);
  assert.equal(cluster.chooseK(a, { maxK: 5, k: 5 }).k, 5);
  assert.throws(() => cluster.chooseK(a, { maxK: 5, k: 6 }), /Expected integer in \[2, 5\] for k but received 6 of type number/);
  // below the elbow nothing qualifies: the silhouette rule decides, and says with which share
  const none = scores([[2, 100, 0.5, 0.5], [3, 80, 0.3, 0.5], [4, 50, 0.2, 0.5], [5, 48, 0.15, 0.5], [6, 47, 0.1, 0.5]]);
  assert.match(cluster.chooseK(none, { minSeparation: 0.9 }).reasons[0], /keeps 90% of the best silhouette: the silhouette rule decides/);
  assert.throws(() => cluster.chooseK(a, { rule: 'gap' as never }), /Expected one of 'elbow', 'silhouette' for rule but received 'gap' of type string/);
  assert.throws(() => cluster.chooseK(a, { minSeparation: 2 }), /Expected number in \[0, 1\] for minSeparation but received 2 of type number/);
  assert.throws(() => cluster.chooseK(a, { kMax: 3 } as never), /Expected a known option \(k, rule, maxK, minStability, minSeparation, tolerance\) for chooseK options.kMax/);
});

test('chooseK() says what the numbers say: a finer best silhouette and a rising one past the elbow, unmeasured stability', () => {
  // the elbow is at k=4, but the silhouette keeps rising to k=5 (well-separated blobs)
  const rising = scores([[2, 100, 0.3, 1], [3, 60, 0.4, 1], [4, 30, 0.5, 1], [5, 28, 0.6, 1], [6, 27, 0.55, 1]]);
  const c = cluster.chooseK(rising);
  assert.equal(c.k, 4);
  assert.match(c.justification, /one more cluster would raise the silhouette to 0\.600/);
  assert.match(c.justification, /would pick k=5 \(0\.600\), a finer split\.$/);
  assert.match(c.reasons[4], /^k=5 separates best .* a finer split past the elbow/);
  // the usual case on faces: the best silhouette is the coarsest k
  const usual = cluster.chooseK(a, { minSeparation: 0.4 });
  assert.match(usual.justification, /one more cluster would lower the silhouette to 0\.150/);
  assert.match(usual.justification, /would pick k=2 \(0\.500\), a coarser split\.$/);
  const unmeasured = cluster.chooseK(scores([[2, 100, 0.3, NaN], [3, 60, 0.4, NaN], [4, 30, 0.5, NaN], [5, 29, 0.45, NaN], [6, 28, 0.4, NaN]]));
  assert.equal(unmeasured.k, 4);
  assert.match(unmeasured.justification, /stability not measured/);
  assert.doesNotMatch(unmeasured.justification, /NaN/);
  assert.match(unmeasured.justification, /The best silhouette alone picks the same k\./);
});

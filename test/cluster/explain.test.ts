import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, features, stages } from 'facetype';

type Attr = stages.FaceAttributes;

function face(age: number, male: number, top: features.Expression, p = 0.8): Attr {
  const expressions = Object.fromEntries(features.EXPRESSIONS.map((e) => [e, e === top ? p : (1 - p) / 6])) as Attr['expressions'];
  return { age, male, expressions };
}

test('explainClusters() describes size, age, gender, expressions and labels each cluster in documented words', () => {
  const attrs = [face(60, 0.9, 'neutral'), face(70, 0.95, 'neutral'), face(22, 0.1, 'happy'), face(24, 0.05, 'happy'), face(40, 0.5, 'sad')];
  const labels = [0, 0, 1, 1, -1];
  const X = [[0, 0], [2, 0], [10, 10], [10, 12], [50, 50]];
  const r = stages.explainClusters(labels, attrs, { X, nClosest: 1, nOutliers: 1 });
  assert.equal(r.clusters.length, 2);
  assert.equal(r.nNoise, 1);
  const [a, b] = r.clusters;
  assert.equal(a.label, 'older men, neutral');
  assert.equal(b.label, 'young women, smiling');
  assert.equal(a.size, 2);
  assert.equal(a.share, 0.4);
  assert.equal(a.ageMean, 65);
  assert.equal(a.ageStd, 5);
  assert.equal(a.maleShare, 1);
  assert.ok(Math.abs(a.maleMean - 0.925) < 1e-12);
  assert.equal(b.dominantExpressions[0].expression, 'happy');
  assert.ok(Math.abs(b.expressions.happy - 0.8) < 1e-12);
  assert.deepEqual(a.closest, [0]);
  assert.deepEqual(a.outliers, [1]);
  assert.match(r.text, /cluster 0: older men, neutral - 2 faces \(40.0%\), age 65 \+\/- 5, 100% men, neutral 0.80/);
  assert.match(r.text, /noise: 1 faces/);
});

test('explainClusters() age bands and gender words follow the documented thresholds', () => {
  assert.equal(stages.ageBand(34.9), 'young');
  assert.equal(stages.ageBand(35), 'middle-aged');
  assert.equal(stages.ageBand(49.9), 'middle-aged');
  assert.equal(stages.ageBand(50), 'older');
  assert.equal(stages.genderWord(0.65), 'men');
  assert.equal(stages.genderWord(0.35), 'women');
  assert.equal(stages.genderWord(0.5), 'men and women');
});

test('explainClusters() makes equal labels unique by naming what differs', () => {
  // two clusters of young smiling women, ages 20 and 28: the age tells them apart
  const attrs = [face(20, 0.1, 'happy'), face(20, 0.1, 'happy'), face(28, 0.1, 'happy'), face(28, 0.1, 'happy'), face(60, 0.9, 'neutral')];
  const r = stages.explainClusters([0, 0, 1, 1, 2], attrs);
  assert.deepEqual(r.clusters.map((c) => c.label), ['young women, smiling (mean age 20)', 'young women, smiling (mean age 28)', 'older men, neutral']);
  // identical in every measure: numbered (and no expression word: nobody smiles more than the rest)
  const same = stages.explainClusters([0, 1], [face(20, 0.1, 'happy'), face(20, 0.1, 'happy')]);
  assert.deepEqual(same.clusters.map((c) => c.label), ['young women (mean age 20) #0', 'young women (mean age 20) #1']);
});

test('explainClusters() names an expression only when the cluster shows it more than all faces do', () => {
  // everyone smiles: no cluster is "smiling"
  const allSmile = stages.explainClusters([0, 0, 1, 1], [face(22, 0.1, 'happy'), face(24, 0.1, 'happy'), face(60, 0.9, 'happy'), face(62, 0.9, 'happy')]);
  assert.deepEqual(allSmile.clusters.map((c) => c.label), ['young women', 'older men']);
  // the men are neutral where the women smile
  const mixed = stages.explainClusters([0, 0, 1, 1], [face(22, 0.1, 'happy'), face(24, 0.1, 'happy'), face(60, 0.9, 'neutral'), face(62, 0.9, 'neutral')]);
  assert.deepEqual(mixed.clusters.map((c) => c.label), ['young women, smiling', 'older men, neutral']);
});

test('explainClusters() uses given centroids for the closest and farthest faces', () => {
  const X = [[0], [1], [5], [6]];
  const r = stages.explainClusters([0, 0, 0, 0], X.map(() => face(30, 0.5, 'neutral')), { X, centroids: cluster.fromRows([[5.5]]), nClosest: 2, nOutliers: 2 });
  assert.deepEqual(r.clusters[0].closest, [2, 3]);
  assert.deepEqual(r.clusters[0].outliers, [0, 1]);
});

test('explainClusters() rejects bad attributes and options with named errors', () => {
  const ok = [face(20, 0.1, 'happy')];
  assert.throws(() => stages.explainClusters([], []), /explainClusters: no labels/);
  assert.throws(() => stages.explainClusters([0], 'x' as never), /Expected an array of \{ age, male, expressions \} for attributes but received 'x' of type string/);
  assert.throws(() => stages.explainClusters([0, 0], ok), /attributes has 1 entries for 2 labels/);
  assert.throws(() => stages.explainClusters([0], [{ ...ok[0], age: NaN }]), /attributes\[0\].age is NaN/);
  assert.throws(() => stages.explainClusters([0], [{ ...ok[0], male: 2 }]), /attributes\[0\].male is 2, expected a probability in \[0, 1\]/);
  assert.throws(() => stages.explainClusters([0], [{ age: 3, male: 0.5 } as never]), /attributes\[0\].expressions is missing/);
  assert.throws(() => stages.explainClusters([0], [{ ...ok[0], expressions: { ...ok[0].expressions, sad: NaN } }]), /attributes\[0\].expressions.sad is NaN/);
  assert.throws(() => stages.explainClusters([0], ok, { nClosest: -1 }), /Expected integer >= 0 for nClosest but received -1 of type number/);
  assert.throws(() => stages.explainClusters([0], ok, { nOutliers: 0.5 }), /Expected integer >= 0 for nOutliers but received 0.5 of type number/);
  assert.throws(() => stages.explainClusters([0], ok, { X: [[1], [2]] }), /X has 2 rows for 1 labels/);
  assert.throws(() => stages.explainClusters([0], ok, { X: [[1]], centroids: cluster.fromRows([[1, 2]]) }), /centroids have 2 columns, X has 1/);
  assert.throws(() => stages.explainClusters([1], ok, { X: [[1]], centroids: cluster.fromRows([[1]]) }), /centroids has 1 rows but label 1 occurs/);
});

test('scoreAgainstLabels() gives per-cluster attribute shares and NMI, CelebA -1 read as 0', () => {
  const labels = [0, 0, 1, 1, -1];
  const r = stages.scoreAgainstLabels(labels, { Male: [1, 1, -1, -1, 1], Smiling: [0, 1, 0, 1, 0] });
  assert.deepEqual(r.clusters, [0, 1, -1]);
  assert.deepEqual(r.share, [[1, 0.5], [0, 0.5], [1, 0]]);
  assert.deepEqual(r.overall, [0.6, 0.4]);
  assert.ok(Math.abs(r.nmi[0] - cluster.normalizedMutualInfo([1, 1, 0, 0, 1], labels)) < 1e-12);
  assert.ok(r.nmi[0] > r.nmi[1]);
  assert.match(r.text, /cluster\s+Male\s+Smiling/);
  assert.match(r.text, /noise\s+100%\s+0%/);
  assert.match(r.text, /NMI\s+0\.\d{3}\s+0\.\d{3}/);
});

test('scoreAgainstLabels() rejects bad tables with named errors', () => {
  assert.throws(() => stages.scoreAgainstLabels([], { a: [] }), /scoreAgainstLabels: no labels/);
  assert.throws(() => stages.scoreAgainstLabels([0], null as never), /Expected an object of attribute columns for table but received null/);
  assert.throws(() => stages.scoreAgainstLabels([0], {}), /scoreAgainstLabels: the table has no attribute column/);
  assert.throws(() => stages.scoreAgainstLabels([0, 1], { Male: [1] }), /attribute Male has 1 values for 2 labels/);
  assert.throws(() => stages.scoreAgainstLabels([0], { Male: [2] }), /attribute Male has value 2 at row 0; expected 1, 0 or -1/);
});

test('faceAttributesFromMatrix() reads the features stage N x 9 attribute rows', () => {
  const a = stages.faceAttributesFromMatrix(Float32Array.from([30, 0.25, 0.5, 0.5, 0, 0, 0, 0, 0, 61, 1, 0, 0, 0, 0, 0, 0, 1]));
  assert.equal(a.length, 2);
  assert.deepEqual(a[0], { age: 30, male: 0.25, expressions: { neutral: 0.5, happy: 0.5, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 } });
  assert.equal(a[1].expressions.surprised, 1);
  assert.throws(() => stages.faceAttributesFromMatrix(new Float32Array(10)), /attributes has 10 values, not a multiple of 9 \(age, male, 7 expressions per face\)/);
  assert.throws(() => stages.faceAttributesFromMatrix(null as never), /Expected an N x 9 array \(age, male, 7 expressions\) for attributes but received null/);
});

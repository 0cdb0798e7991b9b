import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, features, plots, stages } from 'facetype';

const { X } = cluster.makeBlobs({ n: 150, centers: 3, dim: 5, std: 0.5, seed: 3 });

test('k charts (elbow, silhouette, DB/CH, stability) plot every k, mark the chosen one and summarise the numbers', async () => {
  const a = await cluster.analyzeK(X, { kMax: 5, nInit: 2, bootstrap: { samples: 3 }, workers: 1 });
  const k = cluster.chooseK(a).k;
  assert.equal(k, 3);
  const elbow = plots.elbowChart(a, { chosenK: k });
  assert.deepEqual(elbow.figure.data[0].x, [2, 3, 4, 5]);
  assert.match(elbow.summary, /^inertia by k: k=2: \d+\.\d, k=3/);
  const sil = plots.silhouetteChart(a, { chosenK: k });
  assert.equal((sil.figure.layout.shapes as { x0: number }[])[0].x0, 3);
  assert.match(sil.summary, /mean silhouette \(cosine\) by k: k=2: 0\.\d{3}/);
  assert.match(sil.summary, /chosen k=3/);
  const dbch = plots.dbChChart(a, { chosenK: k });
  assert.equal(dbch.figure.data.length, 2);
  assert.equal(dbch.figure.data[1].yaxis, 'y2');
  const st = plots.stabilityChart(a, { chosenK: k });
  assert.match(st.summary, /mean bootstrap ARI by k \(threshold 0.8\): k=2: \d\.\d\d \+\/- \d\.\d\d/);
  for (const c of [elbow, sil, dbch, st]) {
    assert.ok(c.bundle['application/vnd.plotly.v1+json']);
    assert.match(String(c.bundle['text/plain']), /^\[.+\]\n/);
  }
  const samples = plots.silhouetteSamplesChart(a.scores[1].silhouetteSamples, a.scores[1].labels, { title: 'k=3', metric: 'cosine' });
  assert.equal(samples.figure.data.length, 3);
  assert.match(samples.summary, /^mean silhouette 0\.\d{3} over 150 faces\ncluster 0: 50 faces, mean 0\.\d{3}, 0 negative/);
});

test('pcaVarianceChart() shows per-component and cumulative shares and how many components reach 90%', () => {
  const p = cluster.pca(X);
  const c = plots.pcaVarianceChart(p, { varianceToKeep: 0.9 });
  assert.equal(c.figure.data.length, 2);
  assert.match(c.summary, /components for 50% \/ 80% \/ 90% \/ 95% of the variance: \d \/ \d \/ \d \/ \d \(of 5 kept\)/);
});

test('kDistanceChart() thins the curve, draws eps and counts the points within it', () => {
  const kd = cluster.kDistances(X, 4);
  const s = cluster.suggestEps(kd);
  const c = plots.kDistanceChart(kd, { eps: s.eps, k: 4, kneeIndex: s.index, maxPoints: 50 });
  assert.ok((c.figure.data[0].x as number[]).length <= 52);
  assert.equal(c.figure.data[1].name, 'knee');
  assert.match(c.summary, /eps = \d\.\d{3}: \d+ points \(\d+\.\d%\) have their k-th neighbour within eps/);
});

test('projectionChart() draws one trace per cluster in cluster colours with hover text and image urls', () => {
  const proj = cluster.pca2d(X);
  const labels = cluster.kmeans(X, { k: 3, seed: 1 }).labels;
  const l2 = Int32Array.from(labels);
  l2[0] = -1;
  const names = Array.from({ length: 150 }, (_, i) => `face${i}.jpg`);
  const c = plots.projectionChart(proj, l2, { hoverText: names, imageUrls: names.map((n) => `thumbs/${n}`), names: ['a', 'b', 'c'] });
  assert.equal(c.figure.data.length, 4);
  assert.equal((c.figure.data[3].marker as { color: string }).color, plots.clusterColor(-1));
  assert.equal((c.figure.data[0].marker as { color: string }).color, plots.clusterColor(0));
  assert.equal((c.figure.data[3].text as string[])[0], 'face0.jpg');
  assert.equal((c.figure.data[3].customdata as string[])[0], 'thumbs/face0.jpg');
  assert.match(c.summary, /150 faces projected with pca; a: \d+, b: \d+, c: \d+, noise: 1/);
  assert.throws(() => plots.projectionChart(proj, [0, 1]), /projectionChart: 2 labels for 150 points/);
});

test('clusterSizeChart() and attributeHeatmap() summarise sizes and attribute shares', () => {
  const sizes = plots.clusterSizeChart([0, 0, 1, -1], { names: ['first', 'second'] });
  assert.deepEqual(sizes.figure.data[0].x, ['first', 'second', 'noise']);
  assert.equal(sizes.summary, 'first: 2 (50.0%)\nsecond: 1 (25.0%)\nnoise: 1 (25.0%)');
  const scores = stages.scoreAgainstLabels([0, 0, 1, 1], { Male: [1, 1, 0, 0], Young: [1, 0, 1, 0] });
  const h = plots.attributeHeatmap(scores);
  assert.deepEqual(h.figure.data[0].z, [[1, 0.5], [0, 0.5]]);
  assert.equal((h.figure.data[0].x as string[])[0], 'Male (NMI 1.00)');
  assert.equal(h.summary, scores.text);
  const ex = features.EXPRESSIONS;
  const attrs = [20, 60].map((age) => ({ age, male: age > 30 ? 1 : 0, expressions: Object.fromEntries(ex.map((e) => [e, e === 'neutral' ? 1 : 0])) as stages.FaceAttributes['expressions'] }));
  const e = plots.attributeHeatmap(stages.explainClusters([0, 1], attrs));
  assert.deepEqual(e.figure.data[0].y, ['0: young women', '1: older men']);
  assert.equal((e.figure.data[0].z as number[][])[1][0], 0.75);
});

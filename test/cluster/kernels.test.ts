import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

test('the WebAssembly SIMD kernel is available on this Node and gives the same K-Means as plain loops', () => {
  assert.equal(cluster.wasmAvailable(), true);
  // odd feature count and row counts not multiple of 4 exercise the padding
  const { X } = cluster.makeBlobs({ n: 203, centers: 3, dim: 7, seed: 21 });
  const a = cluster.kmeans(X, { k: 5, seed: 3, algorithm: 'lloyd' });
  const b = cluster.kmeans(X, { k: 5, seed: 3 });
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
  const s = cluster.silhouetteSamples(X, a.labels);
  // brute-force reference
  const n = X.rows, d = X.cols;
  const dist = (i: number, j: number): number => {
    let v = 0;
    for (let t = 0; t < d; t++) v += (X.data[i * d + t] - X.data[j * d + t]) ** 2;
    return Math.sqrt(v);
  };
  for (const i of [0, 1, 100, 202]) {
    const sums = new Map<number, [number, number]>();
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const c = a.labels[j];
      const e = sums.get(c) ?? [0, 0];
      sums.set(c, [e[0] + dist(i, j), e[1] + 1]);
    }
    const own = sums.get(a.labels[i])!;
    const ai = own[0] / own[1];
    let bi = Infinity;
    for (const [c, [s2, m]] of sums) if (c !== a.labels[i]) bi = Math.min(bi, s2 / m);
    assert.ok(Math.abs(s[i] - (bi - ai) / Math.max(ai, bi)) < 1e-10);
  }
});

test('useWasmKernels(false) switches to the plain-JS loops: same K-Means, DBSCAN, Ward and silhouettes as the WASM kernel', (t) => {
  t.after(() => cluster.useWasmKernels(true));
  // odd dimension, row counts not multiple of 4, more than one 256-row block
  const { X } = cluster.makeBlobs({ n: 611, centers: 4, dim: 9, std: 0.8, seed: 4 });
  const run = () => ({
    km: cluster.kmeans(X, { k: 4, seed: 2, nInit: 3 }),
    db: cluster.dbscan(X, { eps: 1.2, minSamples: 5 }),
    wd: cluster.ward(X, { k: 4 }),
    sil: cluster.silhouetteSamples(X, cluster.kmeans(X, { k: 4, seed: 2, nInit: 1 }).labels),
    cos: cluster.silhouetteScore(X, cluster.kmeans(X, { k: 3, seed: 2, nInit: 1 }).labels, { metric: 'cosine' }),
    kd: cluster.kDistances(X, 4),
  });
  cluster.useWasmKernels(true);
  assert.equal(cluster.wasmAvailable(), true);
  const wasm = run();
  cluster.useWasmKernels(false);
  assert.equal(cluster.wasmAvailable(), false);
  const js = run();
  cluster.useWasmKernels(true);
  assert.equal(cluster.wasmAvailable(), true);
  assert.deepEqual(Array.from(js.km.labels), Array.from(wasm.km.labels));
  assert.ok(Math.abs(js.km.inertia - wasm.km.inertia) <= 1e-9 * wasm.km.inertia);
  for (let i = 0; i < js.km.centroids.data.length; i++) assert.ok(Math.abs(js.km.centroids.data[i] - wasm.km.centroids.data[i]) < 1e-9);
  assert.deepEqual(Array.from(js.db.labels), Array.from(wasm.db.labels));
  assert.deepEqual(Array.from(js.wd.labels), Array.from(wasm.wd.labels));
  for (let i = 0; i < js.sil.length; i++) assert.ok(Math.abs(js.sil[i] - wasm.sil[i]) < 1e-9);
  assert.ok(Math.abs(js.cos - wasm.cos) < 1e-9);
  for (let i = 0; i < js.kd.length; i++) assert.ok(Math.abs(js.kd[i] - wasm.kd[i]) < 1e-9);
});

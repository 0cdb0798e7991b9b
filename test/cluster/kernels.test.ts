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

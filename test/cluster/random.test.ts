import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

test('Random() with the same seed gives the same stream, another seed another stream', () => {
  const a = new cluster.Random(42), b = new cluster.Random(42), c = new cluster.Random(43);
  const sa = Array.from({ length: 5 }, () => a.random());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.random()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.random()));
  for (const v of sa) assert.ok(v >= 0 && v < 1);
});

test('Random.fork() streams are reproducible and differ between streams', () => {
  const r = new cluster.Random(1);
  assert.equal(r.fork(3).random(), new cluster.Random(1).fork(3).random());
  assert.notEqual(r.fork(3).random(), r.fork(4).random());
});

test('Random.sample() draws distinct sorted indices; normal() has about zero mean and unit variance', () => {
  const r = new cluster.Random(5);
  const s = r.sample(100, 30);
  assert.equal(new Set(s).size, 30);
  for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1]);
  let m = 0, v = 0;
  const n = 20000;
  const xs = Array.from({ length: n }, () => r.normal());
  for (const x of xs) m += x / n;
  for (const x of xs) v += (x - m) ** 2 / n;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `mean ${m} variance ${v}`);
});

test('new Random() rejects a seed that is not a 32-bit unsigned integer', () => {
  assert.throws(() => new cluster.Random(-1), /Expected integer in \[0, 4294967295\] for seed but received -1 of type number/);
  assert.throws(() => new cluster.Random(1.5), /Expected integer in \[0, 4294967295\] for seed but received 1.5 of type number/);
});

test('makeBlobs() is deterministic for a seed and validates its options', () => {
  const a = cluster.makeBlobs({ n: 50, centers: 3, dim: 4, seed: 9 });
  const b = cluster.makeBlobs({ n: 50, centers: 3, dim: 4, seed: 9 });
  assert.deepEqual(Array.from(a.X.data), Array.from(b.X.data));
  assert.deepEqual(Array.from(a.labels.slice(0, 6)), [0, 1, 2, 0, 1, 2]);
  const s = cluster.makeBlobs({ n: 20, dim: 8, onSphere: true, seed: 1 });
  for (const v of cluster.rowSquaredNorms(s.X)) assert.ok(Math.abs(v - 1) < 1e-12);
  assert.throws(() => cluster.makeBlobs({ n: 0 }), /Expected integer >= 1 for n but received 0 of type number/);
  assert.throws(() => cluster.makeBlobs({ centers: 0 }), /Expected integer >= 1 for centers but received 0 of type number/);
  assert.throws(() => cluster.makeBlobs({ dim: 0 }), /Expected integer >= 1 for dim but received 0 of type number/);
  assert.throws(() => cluster.makeBlobs({ std: -1 }), /Expected number >= 0 for std but received -1 of type number/);
  assert.throws(() => cluster.makeBlobs({ noise: 2 }), /Expected number in \[0, 1\] for noise but received 2 of type number/);
  assert.throws(() => cluster.makeBlobs({ seed: -3 }), /Expected integer in \[0, 4294967295\] for seed but received -3 of type number/);
  assert.throws(() => cluster.makeBlobs({ size: 3 } as never), /Expected a known option \(n, centers, dim, std, spread, onSphere, noise, seed\) for makeBlobs options.size but received 'size' of type string/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';
import { allClose, reference } from './helpers';

const ref = reference();

test('ward() matches scikit-learn labels (up to renaming) and scipy merge heights', () => {
  const r = cluster.ward(ref.X, { k: 3 });
  assert.equal(cluster.adjustedRandIndex(r.labels, ref.ward.labels), 1);
  allClose(r.merges.map((m) => m.height), ref.ward.heights, 1e-5, 'heights');
  assert.deepEqual(r.merges.map((m) => m.size), ref.ward.sizes);
  assert.deepEqual(r.sizes.slice().sort((a, b) => b - a), r.sizes);
});

test('ward() cut() gives any k from the same tree, nested', () => {
  const r = cluster.ward(ref.X, { k: 3 });
  const two = r.cut(2);
  assert.equal(new Set(two).size, 2);
  // every k=3 cluster lies inside one k=2 cluster
  for (let c = 0; c < 3; c++) {
    const parents = new Set<number>();
    for (let i = 0; i < 60; i++) if (r.labels[i] === c) parents.add(two[i]);
    assert.equal(parents.size, 1);
  }
  assert.deepEqual(Array.from(r.cut(1)), new Array(60).fill(0));
  assert.equal(new Set(r.cut(60)).size, 60);
});

test('ward() on hand-made points merges the closest pairs first (heights as scipy: sqrt(2 * SSE increase))', () => {
  const r = cluster.ward([[0], [1], [10], [12]], { k: 2 });
  assert.deepEqual(Array.from(r.labels), [0, 0, 1, 1]);
  // {0,1}: sqrt(2*0.5)=1; {10,12}: sqrt(2*2)=2; last: sqrt(2 * (2*2*(11-0.5)^2/4)) = 10.5*sqrt(2)
  allClose(r.merges.map((m) => m.height), [1, 2, 10.5 * Math.SQRT2], 1e-6);
});

test('ward() beyond maxSamples fits a sample, assigns the rest and says so', () => {
  const { X, labels } = cluster.makeBlobs({ n: 200, centers: 3, dim: 3, std: 0.4, seed: 8 });
  const r = cluster.ward(X, { k: 3, maxSamples: 50, seed: 1 });
  assert.equal(r.fittedIndices.length, 50);
  assert.equal(cluster.adjustedRandIndex(labels, r.labels), 1);
  assert.match(r.warnings[0], /Ward tree built on a random sample of 50 of 200 points; the others joined the nearest cluster mean/);
});

test('ward() on duplicate points warns about empty clusters instead of failing', () => {
  const r = cluster.ward([[1, 1], [1, 1], [1, 1]], { k: 2 });
  assert.equal(r.labels.length, 3);
  assert.equal(r.warnings.length, 0);
  assert.deepEqual(r.sizes.slice().sort(), [1, 2]);
});

test('ward() rejects bad options with named errors', () => {
  assert.throws(() => cluster.ward(ref.X, { k: 0 }), /Expected integer >= 1 for k but received 0 of type number/);
  assert.throws(() => cluster.ward([[0], [1]], { k: 3 }), /only 2 samples for k=3/);
  assert.throws(() => cluster.ward(ref.X, { k: 3, maxSamples: 1 }), /Expected integer >= 2 for maxSamples but received 1 of type number/);
  assert.throws(() => cluster.ward(ref.X, { k: 3, seed: -1 }), /Expected integer in \[0, 4294967295\] for seed but received -1 of type number/);
  const r = cluster.ward(ref.X, { k: 3 });
  assert.throws(() => r.cut(61), /Expected integer in \[1, 60\] for k but received 61 of type number/);
  assert.throws(() => cluster.wardTree({ rows: 70000, cols: 1, data: new Float64Array(70000) }), /ward: 70000 points need 2449965000 pairwise distances; use maxSamples/);
});

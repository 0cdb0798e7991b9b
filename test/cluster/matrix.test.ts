import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster } from 'facetype';

test('fromRows() and toRows() round-trip a small matrix row-major', () => {
  const m = cluster.fromRows([[1, 2, 3], [4, 5, 6]]);
  assert.equal(m.rows, 2);
  assert.equal(m.cols, 3);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(cluster.toRows(m), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(Array.from(cluster.row(m, 1)), [4, 5, 6]);
});

test('toMatrix() accepts Float32Array rows and float32 matrices, and keeps a float64 matrix as is', () => {
  const a = cluster.toMatrix([Float32Array.from([1, 2]), Float32Array.from([3, 4])]);
  assert.ok(a.data instanceof Float64Array);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4]);
  const b = cluster.toMatrix({ rows: 1, cols: 2, data: Float32Array.from([0.5, 1.5]) });
  assert.deepEqual(Array.from(b.data), [0.5, 1.5]);
  const c = cluster.matrix(1, 2, Float64Array.from([1, 2]));
  assert.equal(cluster.toMatrix(c), c);
});

test('toMatrix() rejects empty, ragged, non-finite and malformed input with named errors', () => {
  assert.throws(() => cluster.toMatrix([]), /empty input: X has 0 rows/);
  assert.throws(() => cluster.toMatrix([[], []]), /empty input: X has 0 columns/);
  assert.throws(() => cluster.toMatrix([[1, 2], [3]]), /X is ragged: row 1 has 1 values, row 0 has 2/);
  assert.throws(() => cluster.toMatrix([[1, 2], [3, NaN]]), /X contains NaN at row 1, column 1/);
  assert.throws(() => cluster.toMatrix([[1, Infinity]]), /X contains Infinity at row 0, column 1/);
  assert.throws(() => cluster.toMatrix('abc' as never), /Expected a Matrix or an array of rows for X but received 'abc' of type string/);
  assert.throws(() => cluster.toMatrix([5 as never]), /Expected an array of numbers for X\[0\] but received 5 of type number/);
  assert.throws(() => cluster.toMatrix({ rows: 2, cols: 2, data: new Float64Array(3) }), /X has data of length 3 for rows=2, cols=2/);
  assert.throws(() => cluster.toMatrix({ rows: 1, cols: 1, data: [1] as never }), /Expected a Float64Array or Float32Array for X.data but received an array of length 1/);
  assert.throws(() => cluster.matrix(2, 2, new Float64Array(3)), /matrix data has length 3, expected rows\*cols = 2\*2 = 4/);
  assert.throws(() => cluster.fromRows(7 as never), /Expected a Matrix or an array of rows for X but received 7 of type number/);
});

test('l2normalizeRows() gives unit rows and leaves a zero row at zero', () => {
  const m = cluster.l2normalizeRows(cluster.fromRows([[3, 4], [0, 0]]));
  assert.deepEqual(Array.from(m.data).map((v) => Math.round(v * 1e12) / 1e12), [0.6, 0.8, 0, 0]);
  assert.ok(Math.abs(cluster.rowSquaredNorms(m)[0] - 1) < 1e-15);
  assert.equal(cluster.rowSquaredNorms(m)[1], 0);
});

test('standardizeColumns() centres and scales to unit population variance, constant columns kept at 0', () => {
  const s = cluster.standardizeColumns([[1, 5], [3, 5], [5, 5]]);
  assert.deepEqual(Array.from(s.mean), [3, 5]);
  assert.ok(Math.abs(s.scale[0] - Math.sqrt(8 / 3)) < 1e-12);
  assert.equal(s.scale[1], 1);
  assert.ok(Math.abs(s.matrix.data[0] + Math.sqrt(1.5)) < 1e-12);
  assert.equal(s.matrix.data[1], 0);
  assert.deepEqual(Array.from(cluster.columnMeans(s.matrix)).map((v) => Math.round(v * 1e12) / 1e12), [0, 0]);
});

test('concatColumns() joins blocks side by side with their weights', () => {
  const m = cluster.concatColumns([{ x: [[1, 2], [3, 4]] }, { x: [[10], [20]], weight: 0.5 }]);
  assert.equal(m.cols, 3);
  assert.deepEqual(Array.from(m.data), [1, 2, 5, 3, 4, 10]);
  assert.throws(() => cluster.concatColumns([]), /Expected a non-empty array of column blocks for blocks but received an array of length 0/);
  assert.throws(() => cluster.concatColumns([{ x: [[1]] }, { x: [[1], [2]] }]), /blocks\[1\].x has 2 rows, blocks\[0\].x has 1/);
  assert.throws(() => cluster.concatColumns([{ x: [[1]], weight: NaN }]), /Expected finite number for blocks\[0\].weight but received NaN of type number/);
});

test('selectRows() copies the chosen rows in order', () => {
  const m = cluster.selectRows(cluster.fromRows([[1], [2], [3]]), [2, 0]);
  assert.deepEqual(Array.from(m.data), [3, 1]);
});

test('toLabels() validates integer labels >= -1 and their count', () => {
  assert.deepEqual(Array.from(cluster.toLabels([0, -1, 2], 3)), [0, -1, 2]);
  assert.throws(() => cluster.toLabels([0, 1], 3), /labels has 2 entries for 3 samples/);
  assert.throws(() => cluster.toLabels([0, 1.5], 2), /Expected integer >= -1 for labels\[1\] but received 1.5 of type number/);
  assert.throws(() => cluster.toLabels([0, -2], 2), /Expected integer >= -1 for labels\[1\] but received -2 of type number/);
  assert.throws(() => cluster.toLabels(null as never, 2), /Expected an array of integer labels for labels but received null/);
});

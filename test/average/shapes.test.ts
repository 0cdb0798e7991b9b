import { test } from 'node:test';
import assert from 'node:assert/strict';
import { average } from 'facetype';
import { jitter, random, template68 } from './helpers';

const S = 128;
const T = template68(S);
const frame = { width: S, height: S };

function faces(n: number, seed = 1): Float32Array[] {
  const rnd = random(seed);
  return Array.from({ length: n }, () => jitter(T, rnd));
}

test('checkShape() accepts the template and jittered copies', () => {
  const ref = average.shapeReference(faces(30));
  assert.equal(average.checkShape(T, frame), null);
  for (const f of faces(20, 7)) assert.equal(average.checkShape(f, { ...frame, pointCount: 68, reference: ref }), null);
});

test('checkShape() names each kind of broken landmarks', () => {
  const ref = average.shapeReference(faces(30));
  const opts = { ...frame, pointCount: 68, reference: ref };
  assert.equal(average.checkShape(T.slice(0, 100), opts), 'wrong-point-count');
  assert.equal(average.checkShape(T.slice(0, 11), frame), 'wrong-point-count');
  const nan = T.slice();
  nan[40] = NaN;
  assert.equal(average.checkShape(nan, opts), 'non-finite');
  const far = T.slice();
  far[0] = -S; // a whole image width to the left
  assert.equal(average.checkShape(far, opts), 'outside-image');
  const slightlyOut = T.slice();
  slightlyOut[16] = S + 10; // within the 25% margin
  assert.equal(average.checkShape(slightlyOut, frame), null);
  // eyes swapped: the two eyes' points exchanged
  const swapped = T.slice();
  for (let i = 36; i < 42; i++) {
    for (const c of [0, 1]) {
      swapped[2 * i + c] = T[2 * (i + 6) + c];
      swapped[2 * (i + 6) + c] = T[2 * i + c];
    }
  }
  assert.equal(average.checkShape(swapped, opts), 'eyes-swapped');
  // collapsed landmarks: a third of the size around the centre
  const small = T.map((v) => S / 2 + (v - S / 2) * 0.3);
  assert.equal(average.checkShape(small, opts), 'bad-scale');
  assert.equal(average.checkShape(small, frame), null, 'no reference: no area check');
  // crossed geometry: the jaw mirrored left-right folds the triangles between jaw and face
  const crossed = T.slice();
  for (let i = 0; i <= 16; i++) crossed[2 * i] = S - T[2 * i];
  assert.equal(average.checkShape(crossed, opts), 'flipped-triangles');
  assert.equal(average.checkShape(crossed, { ...opts, maxFlipped: 1 }), null);
});

test('checkShape() on a dense mesh tolerates a folded sliver but not a folded region', () => {
  // a 20 x 20 grid, unknown layout (no eye check)
  const grid: number[] = [];
  for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++) grid.push(20 + i * 4, 20 + j * 4.3);
  const g = Float32Array.from(grid);
  const ref = average.shapeReference([g]);
  const sliver = g.slice();
  sliver[2 * 210] += 4.5; // one point pushed past its right neighbour: a few small folded triangles
  assert.equal(average.checkShape(sliver, { ...frame, reference: ref }), null);
  const region = g.slice();
  for (let k = 0; k < 400; k++) if (k % 20 < 10) region[2 * k] = 2 * 20 + 9 * 4 - region[2 * k] + 40; // left half mirrored over the right half
  assert.equal(average.checkShape(region, { ...frame, reference: ref }), 'flipped-triangles');
});

test('eyeIndices() knows the 68 and 468/478 layouts only', () => {
  assert.deepEqual(average.eyeIndices(68)?.imageLeft, [36, 37, 38, 39, 40, 41]);
  assert.ok(average.eyeIndices(468)?.imageLeft.includes(33));
  assert.ok(average.eyeIndices(478)?.imageRight.includes(263));
  assert.equal(average.eyeIndices(5), null);
});

test('shapeReference() is the coordinate-wise median and its triangles are positive', () => {
  const a = Float32Array.from([0, 0, 10, 0, 0, 10]);
  const b = Float32Array.from([2, 0, 12, 0, 0, 12]);
  const c = Float32Array.from([100, 100, 10, 0, 0, 10]); // an outlier in point 0
  const ref = average.shapeReference([a, b, c]);
  assert.deepEqual(Array.from(ref.points), [2, 0, 10, 0, 0, 10]);
  assert.equal(ref.triangles.length, 3);
  assert.ok(Math.abs(ref.area - 40) < 1e-9);
});

test('meanShape() is the coordinate mean', () => {
  const m = average.meanShape([Float32Array.from([0, 0, 4, 0, 0, 4]), [2, 2, 6, 2, 2, 8]]);
  assert.deepEqual(Array.from(m), [1, 1, 5, 1, 1, 6]);
});

test('meanShape({ procrustes: true }) removes pose differences and stays in the crop frame', () => {
  const rnd = random(3);
  // rotated and scaled copies of the template (no noise): the Procrustes mean is the template's
  // shape, placed where the plain mean is
  const shapes = Array.from({ length: 12 }, (_, i) => {
    const a = (i - 6) * 0.03;
    const s = 1 + (rnd() - 0.5) * 0.1;
    return T.map((v, k) => {
      const x = T[k - (k % 2)] - S / 2;
      const y = T[k - (k % 2) + 1] - S / 2;
      return k % 2 === 0 ? S / 2 + s * (Math.cos(a) * x - Math.sin(a) * y) : S / 2 + s * (Math.sin(a) * x + Math.cos(a) * y);
    });
  });
  const plain = average.meanShape(shapes);
  const gpa = average.meanShape(shapes, { procrustes: true });
  // the plain mean of rotated copies is slightly shrunk; the Procrustes mean keeps the proportions
  const ratio = (p: Float32Array) => (p[2 * 8 + 1] - p[2 * 27 + 1]) / (p[2 * 45] - p[2 * 36]);
  assert.ok(Math.abs(ratio(gpa) - ratio(T)) < 1e-4, `proportions ${ratio(gpa)} vs ${ratio(T)}`);
  let d = 0;
  for (let i = 0; i < T.length; i++) d = Math.max(d, Math.abs(gpa[i] - plain[i]));
  assert.ok(d < 2, `Procrustes mean within 2 px of the plain mean (got ${d})`);
});

test('meanShape() and shapeReference() reject bad input with named parameters', () => {
  assert.throws(() => average.meanShape([]), /shapes is empty: at least one shape is needed/);
  assert.throws(() => average.meanShape('x' as never), /Expected array of point arrays for shapes but received 'x' of type string/);
  assert.throws(() => average.meanShape([[1, 2, 3]]), /Expected x, y coordinates of at least 3 points for shapes\[0\] but received an array of length 3/);
  assert.throws(() => average.meanShape([[0, 0, 1, 0, 0, 1], [0, 0]]), /Expected 6 coordinates like shapes\[0\] for shapes\[1\] but received an array of length 2/);
  assert.throws(() => average.meanShape([[0, 0, 1, 0, 0, NaN]]), /shapes contain a non-finite coordinate \(mean of coordinate 5 is NaN\)/);
  assert.throws(() => average.meanShape([T, T], { procrustes: true, iterations: 0 }), /Expected integer >= 1 for iterations but received 0 of type number/);
  assert.throws(() => average.meanShape([T, T], { procrustes: true, tolerance: -1 }), /Expected number >= 0 for tolerance but received -1 of type number/);
  assert.throws(() => average.meanShape([T], { procrustez: true } as never), /Expected a known option \(procrustes, iterations, tolerance\) for meanShape options.procrustez/);
  assert.throws(() => average.shapeReference([[0, 0, 1, 1, 2, 2]]), /the reference shape has no triangle of positive area \(all points collinear\?\)/);
  assert.throws(() => average.checkShape(T, { width: 0, height: S }), /Expected number >= 1 for width but received 0 of type number/);
  assert.throws(() => average.checkShape(T, { width: S, height: NaN }), /Expected number >= 1 for height but received NaN of type number/);
});

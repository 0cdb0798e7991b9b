import { test } from 'node:test';
import assert from 'node:assert/strict';
import { average } from 'facetype';
import { template68 } from './helpers';

const S = 100;
// a square of landmarks from 30 to 70
const square = Float32Array.from([30, 30, 70, 30, 70, 70, 30, 70, 50, 50]);

test('faceMask() is 1 inside the hull, 0 beyond the feather, and smooth between', () => {
  const m = average.faceMask(square, { width: S, feather: 0.1, forehead: 0 });
  const at = (x: number, y: number) => m[y * S + x];
  assert.equal(at(50, 50), 1);
  assert.equal(at(31, 50), 1);
  assert.equal(at(5, 50), 0);
  assert.equal(at(70 + 10, 50), 0); // feather = 10 px
  assert.ok(Math.abs(at(75, 50) - 0.5) < 1e-6, `half-way through the fade: ${at(75, 50)}`);
  for (let x = 70; x < 80; x++) assert.ok(at(x + 1, 50) <= at(x, 50), 'decreasing outwards');
  // same width all round: diagonal distance at the corner
  const d = Math.hypot(4, 3); // (74, 73) is 5 px from the corner (70, 70)
  assert.ok(Math.abs(m[73 * S + 74] - m[50 * S + Math.round(70 + d)]) < 1e-6);
});

test('faceMask() expand grows the hull and feather 0 gives a hard edge', () => {
  const m = average.faceMask(square, { width: S, feather: 0, expand: 0.05, forehead: 0 });
  assert.equal(m[50 * S + 75], 1);
  assert.equal(m[50 * S + 76], 0);
});

test('faceMask() extends upwards over the forehead, by point count with auto', () => {
  assert.equal(average.autoForehead(68), 0.3);
  assert.equal(average.autoForehead(468), 0.05);
  assert.equal(average.autoForehead(10), 0.15);
  const t = template68(S);
  let top = Infinity;
  for (let i = 1; i < t.length; i += 2) top = Math.min(top, t[i]);
  const x = 50;
  const above = Math.round(top) - 10; // 10 px above the brows
  const without = average.faceMask(t, { width: S, forehead: 0, feather: 0.02 });
  const withAuto = average.faceMask(t, { width: S, feather: 0.02 });
  assert.equal(without[above * S + x], 0);
  assert.equal(withAuto[above * S + x], 1);
  // the dome: the outline's top is 30% of the landmarks' height above the brows
  const outline = average.faceOutline(t);
  let outlineTop = Infinity;
  let bottom = -Infinity;
  for (let i = 1; i < t.length; i += 2) bottom = Math.max(bottom, t[i]);
  for (let i = 1; i < outline.length; i += 2) outlineTop = Math.min(outlineTop, outline[i]);
  assert.ok(Math.abs(top - outlineTop - 0.3 * (bottom - top)) < 1e-3);
});

test('composeOver() blends with the background by alpha', () => {
  const img = Float32Array.from([200, 100, 0, 200, 100, 0]);
  const out = average.composeOver(img, Float32Array.from([1, 0.25]), [0, 100, 200]);
  assert.deepEqual(Array.from(out), [200, 100, 0, 50, 100, 150]);
  assert.deepEqual(Array.from(average.composeOver(img, null, [0, 0, 0])), [200, 100, 0, 200, 100, 0]);
});

test('faceMask() and composeOver() reject bad input with named parameters', () => {
  assert.throws(() => average.faceMask(square, { width: 0 }), /Expected integer >= 1 for width but received 0 of type number/);
  assert.throws(() => average.faceMask(square, { height: -3 }), /Expected integer >= 1 for height but received -3 of type number/);
  assert.throws(() => average.faceMask(square, { feather: 2 }), /Expected number in \[0, 1\] for feather but received 2 of type number/);
  assert.throws(() => average.faceMask(square, { expand: -2 }), /Expected number in \[-1, 1\] for expand but received -2 of type number/);
  assert.throws(() => average.faceMask(square, { forehead: 3 }), /Expected number in \[0, 2\] for forehead but received 3 of type number/);
  assert.throws(() => average.faceMask([1, 2]), /Expected x, y coordinates of at least 3 points for points but received an array of length 2/);
  assert.throws(() => average.faceMask([0, 0, 1, 0, NaN, 1]), /Expected finite number for points\[4\] but received NaN of type number/);
  assert.throws(() => average.faceMask(square, { blur: 1 } as never), /Expected a known option \(width, height, feather, expand, forehead\) for faceMask options.blur/);
  assert.throws(() => average.composeOver([1, 2, 3], [1, 1], [0, 0, 0]), /Expected 1 weights for alpha but received an array of length 2/);
});

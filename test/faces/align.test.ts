import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces } from 'facetype';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

test('similarityFromPairs() maps both source points exactly onto the targets', () => {
  const m = faces.similarityFromPairs([10, 20], [50, 35], [89.6, 107.52], [166.4, 107.52]);
  const [x1, y1] = faces.applyAffine(m, 10, 20);
  const [x2, y2] = faces.applyAffine(m, 50, 35);
  close(x1, 89.6); close(y1, 107.52); close(x2, 166.4); close(y2, 107.52);
  // a similarity: equal scale on both axes, no shear
  close(m[0], m[4]); close(m[1], -m[3]);
});

test('alignmentTransform() puts the eyes at the template positions and levels a tilted face', () => {
  const t = faces.DEFAULT_TEMPLATE;
  const m = faces.alignmentTransform([100, 100], [140, 130], t);
  const [rx, ry] = faces.applyAffine(m, 100, 100);
  const [lx, ly] = faces.applyAffine(m, 140, 130);
  close(rx, t.rightEye[0] * t.size); close(ry, t.rightEye[1] * t.size);
  close(lx, t.leftEye[0] * t.size); close(ly, t.leftEye[1] * t.size);
  close(ry, ly);
});

test('similarityFromPairs() rejects identical eye points', () => {
  assert.throws(() => faces.similarityFromPairs([1, 1], [1, 1], [0, 0], [1, 0]), /Expected two distinct points for eye centres but received '1,1 and 1,1'/);
});

test('invertAffine() composed with the map is the identity', () => {
  const m: faces.Affine = [1.2, -0.3, 5, 0.3, 1.2, -7];
  const inv = faces.invertAffine(m);
  const [x, y] = faces.applyAffine(m, 13, 29);
  const [bx, by] = faces.applyAffine(inv, x, y);
  close(bx, 13, 1e-9); close(by, 29, 1e-9);
  assert.throws(() => faces.invertAffine([1, 2, 0, 2, 4, 0]), /Expected an invertible matrix for affine but received 'determinant 0'/);
});

function gradient(w: number, h: number): faces.RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 3;
    data[o] = x * 2; data[o + 1] = y * 2; data[o + 2] = 100;
  }
  return { data, width: w, height: h, channels: 3 };
}

test('warpAffine() with the identity returns the image', () => {
  const img = gradient(40, 30);
  const out = faces.warpAffine(img, [1, 0, 0, 0, 1, 0], { width: 40, height: 30 });
  assert.deepEqual(Array.from(out.data), Array.from(img.data));
});

test('warpAffine() with a translation by whole pixels shifts the image and fills the rest', () => {
  const img = gradient(40, 30);
  const out = faces.warpAffine(img, [1, 0, 3, 0, 1, 2], { width: 40, height: 30, fill: [7, 7, 7] });
  const at = (im: faces.RgbImage, x: number, y: number) => Array.from(im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));
  assert.deepEqual(at(out, 10, 10), at(img, 7, 8));
  assert.deepEqual(at(out, 0, 0), [7, 7, 7]);
});

test('warpAffine() with fill edge repeats the edge pixels; insideMask() marks what came from the photo', () => {
  const img = gradient(40, 30);
  const m: faces.Affine = [1, 0, 3, 0, 1, 2];
  const out = faces.warpAffine(img, m, { width: 40, height: 30, fill: 'edge' });
  const at = (im: faces.RgbImage, x: number, y: number) => Array.from(im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));
  assert.deepEqual(at(out, 10, 10), at(img, 7, 8));
  assert.deepEqual(at(out, 0, 0), at(img, 0, 0));
  assert.deepEqual(at(out, 1, 20), at(img, 0, 18));
  const mask = faces.insideMask(m, 40, 30, 40, 30);
  assert.equal(mask[0], 0);
  assert.equal(mask[20 * 40 + 1], 0);
  assert.equal(mask[10 * 40 + 10], 1);
  // 3 columns and 2 rows left the photo
  assert.equal(mask.reduce((a, b) => a + b, 0), 37 * 28);
  const share = 1 - faces.insideShare(faces.invertAffine(m), [0, 0, 40, 30], 40, 30, 1);
  assert.ok(Math.abs(share - (1 - (37 * 28) / (40 * 30))) < 1e-9);
});

test('warpAffine() shrinking 4x averages pixels instead of aliasing a checkerboard', () => {
  const w = 64;
  const data = new Uint8Array(w * w * 3);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const out = faces.warpAffine({ data, width: w, height: w, channels: 3 }, [0.25, 0, 0, 0, 0.25, 0], { width: 16, height: 16 });
  for (let i = 0; i < out.data.length; i++) assert.ok(Math.abs(out.data[i] - 128) <= 2, `pixel ${i} = ${out.data[i]}`);
});

test('validateTemplate() names the bad field', () => {
  assert.throws(() => faces.validateTemplate({ size: 256, rightEye: [0.7, 0.4], leftEye: [0.3, 0.4] }), /for template.rightEye\[0\]/);
  assert.throws(() => faces.validateTemplate({ size: 8, rightEye: [0.3, 0.4], leftEye: [0.7, 0.4] }), /Expected integer in \[32, 4096\] for template.size but received 8 of type number/);
});

test('warpAffineToFloat() matches warpAffine() scaled, up to 8-bit rounding', () => {
  const img = gradient(40, 30);
  const m: faces.Affine = [0.8, 0.2, -3, -0.2, 0.8, 6];
  const u8 = faces.warpAffine(img, m, { width: 24, height: 20, fill: [0, 0, 0] });
  const f = new Float32Array(24 * 20 * 3 + 5);
  faces.warpAffineToFloat(img, m, 24, 20, 1 / 255, 0, f, 5);
  for (let i = 0; i < u8.data.length; i++) assert.ok(Math.abs(f[5 + i] * 255 - u8.data[i]) <= 0.5 + 1e-3, `value ${i}`);
  assert.throws(() => faces.warpAffineToFloat(img, m, 24, 20, 1, 0, new Float32Array(10)), /Expected a Float32Array of at least 1440 values for out/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces } from 'facetype';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): faces.RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
}

test('measureQuality() of a flat grey image: no sharpness, no contrast, grayscale', () => {
  const q = faces.measureQuality(image(20, 20, () => [128, 128, 128]), [0, 0, 20, 20]);
  assert.ok(q.sharpness < 1e-6);
  assert.ok(Math.abs(q.brightness - 128 / 255) < 1e-6);
  assert.ok(q.contrast < 1e-6);
  assert.equal(q.grayscale, true);
});

test('measureQuality() Laplacian variance of a checkerboard is computed exactly', () => {
  // lum alternates 0/255: the 4-neighbour Laplacian is +-4*255 everywhere inside, mean 0
  const q = faces.measureQuality(image(10, 10, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])), [0, 0, 10, 10]);
  assert.ok(Math.abs(q.sharpness - (4 * 255) ** 2) < 1e-3 * (4 * 255) ** 2);
  assert.ok(Math.abs(q.contrast - 0.5) < 1e-9);
});

test('measureQuality() colourfulness separates colour from grey', () => {
  const q = faces.measureQuality(image(10, 10, () => [200, 120, 90]), [0, 0, 10, 10]);
  assert.equal(q.colorfulness, 80 + 30);
  assert.equal(q.grayscale, false);
});

test('measureQuality() blurring lowers sharpness', () => {
  const sharp = image(32, 32, (x) => (x < 16 ? [0, 0, 0] : [255, 255, 255]));
  const soft = image(32, 32, (x) => { const v = Math.round(255 / (1 + Math.exp(-(x - 15.5) / 2))); return [v, v, v]; });
  assert.ok(faces.measureQuality(sharp, [0, 0, 32, 32]).sharpness > 5 * faces.measureQuality(soft, [0, 0, 32, 32]).sharpness);
});

test('measureQuality() rejects a region too small', () => {
  assert.throws(() => faces.measureQuality(image(4, 4, () => [0, 0, 0]), [0, 0, 2, 2]), /quality region too small: 2x2/);
});

test('innerFaceRegion() lies inside the crop and between the eyes horizontally', () => {
  const t = faces.DEFAULT_TEMPLATE;
  const [x0, y0, x1, y1] = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  assert.ok(x0 >= 0 && y0 >= 0 && x1 <= t.size && y1 <= t.size);
  assert.ok(x0 < t.rightEye[0] * t.size && x1 > t.leftEye[0] * t.size);
});

test('eyeBrightness() is low when the eye boxes are dark (sunglasses) and near 1 on a flat face', () => {
  const t = faces.DEFAULT_TEMPLATE;
  const region = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  const flat = image(t.size, t.size, () => [180, 150, 130]);
  assert.ok(Math.abs(faces.eyeBrightness(flat, t.size, t.rightEye, t.leftEye, region) - 1) < 1e-9);
  const iod = (t.leftEye[0] - t.rightEye[0]) * t.size;
  const glasses = image(t.size, t.size, (x, y) => {
    const inEye = [t.rightEye, t.leftEye].some((e) => Math.abs(x - e[0] * t.size) < 0.3 * iod && Math.abs(y - e[1] * t.size) < 0.2 * iod);
    return inEye ? [15, 15, 15] : [180, 150, 130];
  });
  assert.ok(faces.eyeBrightness(glasses, t.size, t.rightEye, t.leftEye, region) < 0.2);
});

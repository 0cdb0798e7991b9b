import { test } from 'node:test';
import assert from 'node:assert/strict';
import { average } from 'facetype';
import { template468 } from './helpers';

/** A size x size RGB image of vertical stripes `period` px wide, blurred by a box of `blur` px. */
function stripes(size: number, period: number, blur = 1): average.RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = 0;
      for (let k = 0; k < blur; k++) v += Math.floor((x + k - (blur >> 1)) / period) % 2 === 0 ? 230 : 30;
      data.fill(Math.round(v / blur), 3 * (y * size + x), 3 * (y * size + x) + 3);
    }
  }
  return { data, width: size, height: size, channels: 3 };
}

test('crispness() is higher for a sharp pattern than for its blurred copy', () => {
  const eyes: [[number, number], [number, number]] = [[90, 108], [166, 108]];
  const sharp = average.crispness(stripes(256, 8), eyes[0], eyes[1]);
  const soft = average.crispness(stripes(256, 8, 7), eyes[0], eyes[1]);
  assert.ok(sharp > 1.5 * soft, `${sharp} vs ${soft}`);
});

test('crispness() of a flat image is 0, and is about the same at another image scale', () => {
  const flat = { data: new Uint8Array(128 * 128 * 3).fill(100), width: 128, height: 128, channels: 3 as const };
  assert.equal(average.crispness(flat, [45, 54], [83, 54]), 0);
  const a = average.crispness(stripes(256, 16, 3), [90, 108], [166, 108]);
  const b = average.crispness(stripes(512, 32, 6), [180, 216], [332, 216]);
  assert.ok(Math.abs(a - b) / a < 0.1, `${a} vs ${b}`);
});

test('crispness() rejects eyes at one point and a bad image by name', () => {
  assert.throws(() => average.crispness(stripes(64, 4), [10, 10], [10, 10]), /eyes/);
  assert.throws(() => average.crispness({ data: new Uint8Array(5), width: 4, height: 4, channels: 3 }, [1, 1], [3, 1]), /image/);
});

test('shapeEyes() finds the eye centres of a 468-point shape, image left first', () => {
  const eyes = average.shapeEyes(template468(256));
  assert.ok(eyes);
  assert.ok(eyes[0][0] < eyes[1][0]);
  assert.equal(average.shapeEyes(new Float32Array(10)), null);
});

/**
 * Whole-head averages: weighted accumulation by person masks and per-face weight masks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { average } from 'facetype';
import { constant, jitter, random, template68 } from './helpers';

const C = 64;
const T = template68(C);

/** A mask that is 255 on the image-left half of the crop and 0 on the right half. */
function leftHalf(size: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size / 2; x++) m[y * size + x] = 255;
  return m;
}

test("averageFaces() with composite 'person' keeps each face's person pixels and shows the background elsewhere", async () => {
  const rnd = random(3);
  const faces: average.FaceInput[] = [];
  for (let i = 0; i < 6; i++) faces.push({ image: constant(C, C, [200, 40, 40]), points: jitter(T, rnd, 0, 0), personMask: leftHalf(C), group: i % 2 });
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, groups: 2, composite: 'person', background: [128, 128, 128] });
  assert.equal(r.used, 6);
  const g = r.global;
  assert.ok(g.mask, 'the mean person alpha');
  const px = (x: number, y: number) => Array.from(g.average.data.subarray(3 * (y * C + x), 3 * (y * C + x) + 3));
  // far left: the person's colour, far right: the background
  assert.deepEqual(px(4, 32), [200, 40, 40]);
  assert.deepEqual(px(C - 4, 32), [128, 128, 128]);
  assert.ok(Math.abs((g.mask as Float32Array)[32 * C + 4] - 1) < 1e-6);
  assert.ok((g.mask as Float32Array)[32 * C + C - 4] < 1e-6);
  // the pixel mean is composed with its own mean alpha
  assert.deepEqual(Array.from((g.pixelMean as average.RgbImage).data.subarray(3 * (32 * C + C - 4), 3 * (32 * C + C - 3))), [128, 128, 128]);
});

test("averageFaces() with composite 'person' skips faces without a person mask as 'no-mask'", async () => {
  const rnd = random(4);
  const faces: average.FaceInput[] = [
    { image: constant(C, C, [10, 20, 30]), points: jitter(T, rnd), personMask: leftHalf(C) },
    { image: constant(C, C, [10, 20, 30]), points: jitter(T, rnd) },
  ];
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, composite: 'person' });
  assert.equal(r.used, 1);
  assert.equal(r.skipped['no-mask'], 1);
});

test('averageFaces() gives zero weight to the pixels a face weight mask zeroes (face composite too)', async () => {
  const rnd = random(5);
  // face A is red with its right half weighted 0; face B is blue everywhere: on the right only blue counts
  const right = leftHalf(C).map((v) => 255 - v);
  const faces: average.FaceInput[] = [
    { image: constant(C, C, [255, 0, 0]), points: jitter(T, rnd, 0, 0), weights: leftHalf(C) },
    { image: constant(C, C, [0, 0, 255]), points: jitter(T, rnd, 0, 0), weights: right.map(() => 255) },
  ];
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, mask: false });
  const raw = r.global.raw.data;
  const at = (x: number, y: number) => Array.from(raw.subarray(3 * (y * C + x), 3 * (y * C + x) + 3)).map(Math.round);
  assert.deepEqual(at(C - 6, 32), [0, 0, 255]);
  assert.deepEqual(at(5, 32), [128, 0, 128]);
});

test('averageFaces() reads person masks from PNG files, on worker threads too, and counts unreadable ones', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heads-'));
  const file = path.join(dir, 'm.png');
  await sharp(Buffer.from(leftHalf(C)), { raw: { width: C, height: C, channels: 1 } }).png().toFile(file);
  const rnd = random(6);
  const faces: average.FaceInput[] = [];
  for (let i = 0; i < 4; i++) faces.push({ image: constant(C, C, [0, 200, 0]), points: jitter(T, rnd, 0, 0), personMask: file });
  faces.push({ image: constant(C, C, [0, 200, 0]), points: jitter(T, rnd, 0, 0), personMask: path.join(dir, 'absent.png') });
  for (const workers of [0, 1]) {
    const r = await average.averageFaces(faces, { workers, chunkSize: 2, cropSize: C, composite: 'person' });
    assert.equal(r.used, 4, `workers ${workers}`);
    assert.equal(r.skipped['unreadable-mask'], 1);
    assert.deepEqual(Array.from(r.global.average.data.subarray(3 * (32 * C + 3), 3 * (32 * C + 3) + 3)), [0, 200, 0]);
  }
  fs.rmSync(dir, { recursive: true });
});

test('averageFaces() rejects an unknown composite by name', async () => {
  await assert.rejects(
    average.averageFaces([{ image: constant(C, C, [1, 2, 3]), points: T }], { workers: 0, cropSize: C, composite: 'hair' as 'face' }),
    /composite/,
  );
});

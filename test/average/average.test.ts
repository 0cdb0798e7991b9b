import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { average, DataError } from 'facetype';
import { channels, constant, imageFrom, jitter, maskPixels, maxDiff, pattern, random, shift, template468, template68 } from './helpers';

const C = 64;
const T = template68(C);

/** Faces of constant colours (one colour per face) around the template, groups i % groups. */
function constantFaces(n: number, groups: number, seed = 1): { faces: average.FaceInput[]; colours: [number, number, number][] } {
  const rnd = random(seed);
  const faces: average.FaceInput[] = [];
  const colours: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c: [number, number, number] = [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)];
    colours.push(c);
    faces.push({ image: constant(C, C, c), points: jitter(T, rnd), group: groups > 0 ? i % groups : undefined });
  }
  return { faces, colours };
}

function meanColour(colours: [number, number, number][]): [number, number, number] {
  const m: [number, number, number] = [0, 0, 0];
  for (const c of colours) for (let k = 0; k < 3; k++) m[k] += c[k] / colours.length;
  return m;
}

/** Max difference between an RGB float/byte image and a constant colour over the listed pixels. */
function offColour(data: ArrayLike<number>, colour: readonly number[], pixels: number[]): number {
  let d = 0;
  for (const p of pixels) for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(data[3 * p + k] - colour[k]));
  return d;
}

test('averageFaces() of constant-colour faces is the mean colour, per group and globally', async () => {
  const { faces, colours } = constantFaces(12, 3);
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C });
  assert.equal(r.seen, 12);
  assert.equal(r.used, 12);
  assert.equal(r.groups.length, 3);
  assert.equal(r.size, C);
  assert.equal(r.pointCount, 68);
  assert.deepEqual(r.warnings, []);
  const inside = maskPixels(r.global.mask!);
  const warped = maskPixels(r.global.mask!, 1e-9);
  assert.ok(inside.length > 500);
  const mean = meanColour(colours);
  assert.ok(offColour(r.global.raw.data, mean, warped) < 1e-3);
  assert.ok(offColour(r.global.average.data, mean, inside) <= 0.5);
  assert.ok(offColour(r.global.pixelMean!.data, mean, inside) <= 0.5);
  // the background outside the mask
  const outside = Array.from(r.global.mask!.keys()).filter((i) => r.global.mask![i] === 0);
  assert.ok(outside.length > 0);
  assert.equal(offColour(r.global.average.data, [128, 128, 128], outside), 0);
  for (let g = 0; g < 3; g++) {
    const gm = meanColour(colours.filter((_, i) => i % 3 === g));
    const group = r.groups[g];
    assert.equal(group.group, g);
    assert.equal(group.count, 4);
    assert.ok(offColour(group.raw.data, gm, maskPixels(group.mask!, 1e-9)) < 1e-3);
    assert.ok(offColour(group.pixelMean!.data, gm, maskPixels(group.mask!)) <= 0.5);
  }
  // the mean shape is the mean of the landmarks
  const expected = average.meanShape(faces.map((f) => f.points));
  assert.ok(maxDiff(r.global.meanShape, expected) < 1e-4);
  assert.equal(r.global.mesh.landmarkCount, 68);
});

test('averageFaces() of shifted copies is the sharp pattern at the mean shift, the pixel mean is blurred', async () => {
  const rnd = random(4);
  const faces: average.FaceInput[] = [];
  let mx = 0;
  let my = 0;
  const n = 9;
  for (let i = 0; i < n; i++) {
    const dx = Math.round((rnd() - 0.5) * 12);
    const dy = Math.round((rnd() - 0.5) * 12);
    mx += dx / n;
    my += dy / n;
    faces.push({ image: imageFrom(C, C, (x, y) => pattern(x - dx, y - dy)), points: shift(T, dx, dy) });
  }
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, mask: false });
  // where the target triangles are made of landmarks only, the warp is exactly the shift back
  const mesh = r.global.mesh;
  const map = average.prepareWarp(mesh);
  const px: number[] = [];
  for (let k = 0; k < map.pixels.length; k++) {
    const t = map.triangle[k];
    if (Math.max(mesh.triangles[3 * t], mesh.triangles[3 * t + 1], mesh.triangles[3 * t + 2]) < 68) px.push(map.pixels[k]);
  }
  const idx = channels(px);
  assert.ok(idx.length > 1500);
  const expected = imageFrom(C, C, (x, y) => pattern(x - mx, y - my));
  const err = (data: ArrayLike<number>) => idx.reduce((s, i) => s + Math.abs(data[i] - expected.data[i]), 0) / idx.length;
  const warpedError = err(r.global.raw.data);
  const pixelError = err(r.global.pixelMean!.data);
  assert.ok(warpedError < 1, `warped average off by ${warpedError} on average`);
  assert.ok(pixelError > 10 * warpedError, `pixel mean off by ${pixelError}, warped by ${warpedError}`);
});

test('averageFaces() skips broken faces and counts them by reason, per group too', async () => {
  const rnd = random(8);
  const good = (group?: number): average.FaceInput => ({ image: constant(C, C, [10, 20, 30]), points: jitter(T, rnd), group });
  const faces: average.FaceInput[] = [];
  for (let i = 0; i < 16; i++) faces.push(good(i % 2));
  const nan = jitter(T, rnd);
  nan[7] = NaN;
  const far = jitter(T, rnd);
  far[1] = 3 * C;
  const swapped = T.slice();
  for (let i = 36; i < 42; i++) [swapped[2 * i], swapped[2 * i + 12]] = [swapped[2 * i + 12], swapped[2 * i]];
  const crossed = T.slice();
  for (let i = 0; i <= 16; i++) crossed[2 * i] = C - T[2 * i];
  const small = T.map((v) => C / 2 + (v - C / 2) * 0.3);
  faces.push(
    { image: constant(C, C, [0, 0, 0]), points: nan, group: 0 },
    { image: constant(C, C, [0, 0, 0]), points: far, group: 1 },
    { image: constant(C, C, [0, 0, 0]), points: swapped, group: 1 },
    { image: constant(C, C, [0, 0, 0]), points: crossed },
    { image: constant(C, C, [0, 0, 0]), points: small },
    { image: constant(C, C, [0, 0, 0]), points: T, group: 7 },
    { image: constant(C, C, [0, 0, 0]), points: T, group: 0.5 },
    { image: constant(C, C, [0, 0, 0]), points: T.slice(0, 40) },
    { image: '/nonexistent/face.jpg', points: jitter(T, rnd), group: 0 },
    { image: constant(32, 32, [0, 0, 0]), points: jitter(T, rnd) },
    { image: { data: new Uint8Array(5), width: C, height: C, channels: 3 }, points: jitter(T, rnd) },
  );
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, groups: 2 });
  assert.equal(r.seen, 27);
  assert.equal(r.used, 16);
  assert.deepEqual(r.skipped, {
    'wrong-point-count': 1,
    'non-finite': 1,
    'outside-image': 1,
    'eyes-swapped': 1,
    'bad-scale': 1,
    'flipped-triangles': 1,
    'bad-group': 2,
    'unreadable-image': 1,
    'size-mismatch': 2,
    'worker-crash': 0,
    'unreadable-mask': 0,
    'no-mask': 0,
  });
  assert.equal(r.groups[0].skipped['non-finite'], 1);
  assert.equal(r.groups[0].skipped['unreadable-image'], 1);
  assert.equal(r.groups[1].skipped['outside-image'], 1);
  assert.equal(r.groups[1].skipped['eyes-swapped'], 1);
  assert.equal(r.groups[0].count + r.groups[1].count, 16);
  // only good faces went in: the colour is theirs
  assert.ok(offColour(r.global.average.data, [10, 20, 30], maskPixels(r.global.mask!)) <= 0.5);
  assert.equal(average.formatSkips(r.groups[1].skipped), '1 outside-image, 1 eyes-swapped');
});

test('averageFaces() checks the faces read before its reference shape exists against it, like later ones', async () => {
  const rnd = random(9);
  const small = T.map((v) => C / 2 + (v - C / 2) * 0.3);
  const faces: average.FaceInput[] = [];
  for (let i = 0; i < 12; i++) faces.push({ image: constant(C, C, [60, 90, 120]), points: jitter(T, rnd), group: i % 2 });
  // one collapsed face among the first (held back for the reference), one after the reference
  faces.splice(1, 0, { image: constant(C, C, [0, 0, 0]), points: small, group: 1 });
  faces.splice(10, 0, { image: constant(C, C, [0, 0, 0]), points: small, group: 0 });
  for (const referenceSample of [4, 1000]) {
    const options = { workers: 0, cropSize: C, referenceSample };
    const array = await average.averageFaces(faces, options);
    const once = await average.averageFaces((function* () { yield* faces; })(), options);
    for (const r of [array, once]) {
      assert.equal(r.seen, 14);
      assert.equal(r.used, 12);
      assert.equal(average.formatSkips(r.skipped), '2 bad-scale');
      assert.equal(r.groups[0].skipped['bad-scale'], 1);
      assert.equal(r.groups[1].skipped['bad-scale'], 1);
      assert.deepEqual([r.groups[0].count, r.groups[1].count], [6, 6]);
      // only the good faces went in: their colour
      assert.ok(offColour(r.global.average.data, [60, 90, 120], maskPixels(r.global.mask!)) <= 0.5);
    }
    assert.equal(maxDiff(once.global.raw.data, array.global.raw.data), 0);
  }
});

test('averageFaces() on a worker pool equals the in-thread result, from JPEG files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-average-'));
  try {
    const rnd = random(21);
    const faces: average.FaceInput[] = [];
    for (let i = 0; i < 14; i++) {
      const file = path.join(dir, `face-${i}.jpg`);
      const dx = (rnd() - 0.5) * 6;
      const img = imageFrom(C, C, (x, y) => pattern(x - dx, y));
      await sharp(img.data, { raw: { width: C, height: C, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
      faces.push({ image: file, points: shift(jitter(T, rnd), dx, 0), group: i % 3 });
    }
    const progress: average.AverageProgress[] = [];
    const inThread = await average.averageFaces(faces, { workers: 0, cropSize: C });
    const pooled = await average.averageFaces(faces, { workers: 2, chunkSize: 3, cropSize: C, onProgress: (p) => progress.push(p) });
    assert.equal(pooled.used, 14);
    assert.deepEqual(pooled.groups.map((g) => g.count), [5, 5, 4]);
    assert.ok(maxDiff(pooled.global.raw.data, inThread.global.raw.data) < 1e-6);
    for (let g = 0; g < 3; g++) assert.ok(maxDiff(pooled.groups[g].raw.data, inThread.groups[g].raw.data) < 1e-6);
    assert.ok(maxDiff(pooled.global.pixelMean!.data, inThread.global.pixelMean!.data) === 0);
    const warp = progress.filter((p) => p.phase === 'warp');
    assert.equal(warp.length, 5);
    assert.equal(warp[warp.length - 1].done, 14);
    assert.equal(warp[0].total, 14);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('averageFaces() gives the same result from an array, a function, a generator and an async generator', async () => {
  const { faces } = constantFaces(7, 2, 5);
  const a = await average.averageFaces(faces, { workers: 0, cropSize: C });
  const b = await average.averageFaces(() => faces, { workers: 0, cropSize: C });
  const c = await average.averageFaces((function* () { yield* faces; })(), { workers: 0, cropSize: C });
  const d = await average.averageFaces((async function* () { for (const f of faces) yield f; })(), { workers: 0, cropSize: C });
  for (const r of [b, c, d]) {
    assert.equal(r.used, 7);
    assert.equal(maxDiff(r.global.raw.data, a.global.raw.data), 0);
    assert.equal(maxDiff(r.groups[1].raw.data, a.groups[1].raw.data), 0);
  }
});

test('averageFaces() warns about an empty group and gives it the background', async () => {
  const { faces } = constantFaces(6, 2, 6);
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, groups: 3 });
  assert.equal(r.groups.length, 3);
  assert.equal(r.groups[2].count, 0);
  assert.match(r.warnings.join('\n'), /group 2 has no usable faces: its average is the background and its shape the global mean shape/);
  assert.ok(r.groups[2].average.data.every((v) => v === 128));
  // groups inferred from the faces when not given
  const inferred = await average.averageFaces(faces, { workers: 0, cropSize: C });
  assert.equal(inferred.groups.length, 2);
});

test('averageFaces() renders at another size than the crops', async () => {
  const { faces, colours } = constantFaces(5, 0, 9);
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, size: 32, background: [0, 0, 0] });
  assert.equal(r.global.average.width, 32);
  assert.equal(r.global.pixelMean!.data.length, 32 * 32 * 3);
  const mean = meanColour(colours);
  assert.ok(offColour(r.global.average.data, mean, maskPixels(r.global.mask!)) <= 0.5);
  assert.ok(offColour(r.global.pixelMean!.data, mean, maskPixels(r.global.mask!)) <= 0.5);
  const m = average.meanShape(faces.map((f) => f.points));
  assert.ok(Math.abs(r.global.meanShape[60] - ((m[60] + 0.5) / 2 - 0.5)) < 1e-4);
});

test('averageFaces() works with 468-point meshes and with Procrustes mean shapes', async () => {
  const rnd = random(12);
  const base = template468(C);
  const faces = Array.from({ length: 8 }, (_, i) => ({ image: constant(C, C, [i * 20, 100, 200 - i * 20]), points: jitter(base, rnd, 0.2), group: i % 2 }));
  const r = await average.averageFaces(faces, { workers: 0, cropSize: C, procrustes: true, ring: 1.2 });
  assert.equal(r.pointCount, 468);
  assert.equal(r.used, 8);
  assert.ok(offColour(r.global.average.data, [70, 100, 130], maskPixels(r.global.mask!)) <= 0.5);
  assert.ok(maxDiff(r.global.meanShape, average.meanShape(faces.map((f) => f.points))) < 1);
});

test('averageFaces() rejects bad input with named parameters', async () => {
  const { faces } = constantFaces(3, 0);
  const run = (o: average.AverageOptions) => average.averageFaces(faces, { workers: 0, cropSize: C, ...o });
  await assert.rejects(average.averageFaces(42 as never), /Expected an iterable or async iterable of faces, or a function returning one for faces but received 42 of type number/);
  await assert.rejects(average.averageFaces(() => 5 as never, { workers: 0 }), /Expected an iterable or async iterable of faces for faces\(\) but received 5 of type number/);
  await assert.rejects(run({ groups: 40 }), /Expected integer in \[0, 32\] for groups but received 40 of type number/);
  await assert.rejects(run({ cropSize: 4 }), /Expected integer in \[8, 8192\] for cropSize but received 4 of type number/);
  await assert.rejects(run({ size: 1.5 }), /Expected integer in \[8, 8192\] for size but received 1.5 of type number/);
  await assert.rejects(run({ workers: -1 }), /Expected integer in \[0, 64\] for workers but received -1 of type number/);
  await assert.rejects(run({ chunkSize: 0 }), /Expected integer in \[1, 100000\] for chunkSize but received 0 of type number/);
  await assert.rejects(run({ borderPoints: 3 }), /Expected integer >= 8 for borderPoints but received 3 of type number/);
  await assert.rejects(run({ ring: 11 }), /Expected number in \[0, 10\] for ring but received 11 of type number/);
  await assert.rejects(run({ feather: -0.1 }), /Expected number in \[0, 1\] for feather but received -0.1 of type number/);
  await assert.rejects(run({ expand: 5 }), /Expected number in \[-1, 1\] for expand but received 5 of type number/);
  await assert.rejects(run({ forehead: -1 }), /Expected number in \[0, 2\] for forehead but received -1 of type number/);
  await assert.rejects(run({ background: [0, 0] as never }), /Expected an \[r, g, b\] array of numbers in \[0, 255\] for background but received an array of length 2/);
  await assert.rejects(run({ margin: -1 }), /Expected number >= 0 for margin but received -1 of type number/);
  await assert.rejects(run({ maxFlipped: 2 }), /Expected number in \[0, 1\] for maxFlipped but received 2 of type number/);
  await assert.rejects(run({ maxScale: 0.5 }), /Expected number >= 1 for maxScale but received 0.5 of type number/);
  await assert.rejects(run({ referenceSample: 0 }), /Expected integer >= 1 for referenceSample but received 0 of type number/);
  await assert.rejects(run({ onProgress: 'yes' as never }), /Expected a function or null for onProgress but received 'yes' of type string/);
  await assert.rejects(run({ colour: 1 } as never), /Expected a known option \(groups, cropSize, .*\) for averageFaces options.colour but received 'colour' of type string/);
  await assert.rejects(average.averageFaces([], { workers: 0 }), (e: Error) => e instanceof DataError && /averageFaces\(\) received no faces/.test(e.message));
  const broken = [{ image: constant(C, C, [0, 0, 0]), points: T.map(() => NaN) }];
  await assert.rejects(average.averageFaces(broken, { workers: 0, cropSize: C }), /no usable face among 1: skipped 1 non-finite/);
});

test('average worker handler refuses a task before init', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require('facetype/dist/average/average-worker') as { handler: { run(p: unknown): Promise<unknown> } };
  await assert.rejects(handler.run({ faces: [] }), /average worker: run\(\) before init\(\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { average } from 'facetype';
import { constant, imageFrom, pattern, template68 } from './helpers';

const C = 64;
const T = template68(C);

async function raw(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function pixel(r: { data: Buffer; width: number; channels: number }, x: number, y: number): number[] {
  const i = (Math.round(y) * r.width + Math.round(x)) * r.channels;
  return Array.from(r.data.subarray(i, i + 3));
}

test('drawShape() draws landmark dots and mesh lines over an upscaled face', async () => {
  const mesh = average.triangulate(T, { width: C });
  const r = await raw(await average.drawShape(constant(C, C, [0, 0, 0]), mesh, { scale: 4, label: 'mean shape' }));
  assert.equal(r.width, 4 * C);
  // the nose tip dot is red; a plain area far from lines stays black
  const [r0, g0, b0] = pixel(r, (T[2 * 30] + 0.5) * 4, (T[2 * 30 + 1] + 0.5) * 4);
  assert.ok(r0 > 150 && g0 < 120 && b0 < 120, `dot colour ${[r0, g0, b0]}`);
  // some pixels carry the line colour (cyan)
  let cyan = 0;
  for (let i = 0; i < r.data.length; i += r.channels) if (r.data[i] < 80 && r.data[i + 1] > 100 && r.data[i + 2] > 100) cyan++;
  assert.ok(cyan > 500, `${cyan} line pixels`);
});

test('drawShape() takes plain points, an encoded image, and explicit triangles', async () => {
  const png = await sharp(constant(C, C, [255, 255, 255]).data, { raw: { width: C, height: C, channels: 3 } }).png().toBuffer();
  const r = await raw(await average.drawShape(png, [10, 10, 50, 10, 30, 40], { triangles: Uint32Array.from([0, 1, 2]), scale: 2 }));
  assert.equal(r.width, 2 * C);
  const [red] = pixel(r, 21, 21);
  assert.ok(red > 150);
});

test('drawMesh() draws the triangulation alone', async () => {
  const mesh = average.triangulate(T, { width: C, ring: 1.3 });
  const r = await raw(await average.drawMesh(mesh, { scale: 3, label: 'mesh' }));
  assert.equal(r.width, 3 * C);
  let dark = 0;
  for (let i = 0; i < r.data.length; i += r.channels) if (r.data[i] < 200) dark++;
  assert.ok(dark > 1000, `${dark} drawn pixels`);
});

test('warpComparison() shows a face before and after the warp side by side', async () => {
  const face = { image: imageFrom(C, C, pattern), points: T.map((v, i) => (i % 2 === 0 ? v + 3 : v)) };
  const target = average.triangulate(T, { width: C });
  const r = await raw(await average.warpComparison(face, target, { scale: 2 }));
  assert.equal(r.width, 2 * C + 8 + 2 * C);
  assert.equal(r.height, 2 * C);
});

test('drawing helpers reject bad input with named parameters', async () => {
  const img = constant(C, C, [0, 0, 0]);
  const mesh = average.triangulate(T, { width: C });
  await assert.rejects(average.readRgb('/nonexistent.png'), /Expected a readable image file for image but received '\/nonexistent.png' of type string/);
  await assert.rejects(average.drawShape(img, [1, 2, 3]), /Expected x, y coordinates or a mesh for shape but received an array of length 3/);
  await assert.rejects(average.drawShape(img, [1, 2, 3, 4], { triangles: Uint32Array.from([0, 1, 5]) }), /Expected indices < 2 \(the number of points\) for triangles but received 5 of type number/);
  await assert.rejects(average.drawShape(img, T, { scale: 100 }), /Expected number in \[0.1, 16\] for scale but received 100 of type number/);
  await assert.rejects(average.drawShape(img, T, { colour: 'red' } as never), /Expected a known option .* for drawShape options.colour/);
  await assert.rejects(average.drawMesh({} as never), /Expected a mesh from triangulate\(\) for mesh but received a value of type object/);
  await assert.rejects(average.drawMesh(mesh, { scale: 0 }), /Expected number in \[0.1, 16\] for scale but received 0 of type number/);
  await assert.rejects(average.warpComparison(null as never, mesh), /Expected a FaceInput \{ image, points \} for face but received null/);
  await assert.rejects(average.warpComparison({ image: img, points: T }, {} as never), /Expected a mesh from triangulate\(\) for target but received a value of type object/);
  await assert.rejects(average.warpComparison({ image: img, points: T }, mesh, { scale: -1 }), /Expected number in \[0.1, 16\] for scale but received -1 of type number/);
});

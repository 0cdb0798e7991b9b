import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, features, projectPaths, stages } from 'facetype';
import * as attributesV1 from '../support/reference/attributes-v1';
import * as cropsV1 from '../support/reference/net-crops-v1';
import { paddedRectCrop } from 'facetype/dist/features/nets';

// The speed-ups of the features stage keep its outputs: the restructured code against the code as it
// was (kept verbatim in test/support/reference), on the demo photos' real aligned crops.

let data = '';
let images: faces.RgbImage[] = [];
let landmarks: Float32Array[] = [];
let meshes: Float32Array[] = [];
before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-speed-equivalence-'));
  await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
  const prep = stages.loadPrepared(projectPaths(data));
  images = await Promise.all(prep.images.map((f) => features.readCrop(f)));
  const L = prep.landmarks68.length / prep.images.length;
  landmarks = prep.images.map((_, i) => prep.landmarks68.subarray(i * L, (i + 1) * L));
  const M = prep.mesh468.length / prep.images.length;
  meshes = prep.images.map((_, i) => prep.mesh468.subarray(i * M, (i + 1) * M));
});
after(() => {
  if (data) fs.rmSync(data, { recursive: true, force: true });
});

/** The same numbers, NaN where the other has NaN (a message naming the first difference otherwise). */
function sameRow(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let k = 0; k < a.length; k++) {
    assert.ok(Object.is(a[k], b[k]), `${what}: ${attributesV1.MEASURES[k] ?? k} is ${a[k]}, was ${b[k]}`);
  }
}

test('measureAttributes() gives the rows of the code before the speed-up on real crops, with every cast guard', () => {
  assert.ok(images.length >= 8, `${images.length} demo faces`);
  let finite = 0;
  for (const cast of ['none', 'sclera', 'greyWorld'] as const) {
    images.forEach((img, i) => {
      const now = features.measureAttributes(img, meshes[i], { skin: { ...features.SKIN_DEFAULTS, cast } });
      sameRow(now, attributesV1.measureAttributes(img, meshes[i], { skin: { ...attributesV1.SKIN_DEFAULTS, cast } }), `face ${i}, cast ${cast}`);
      finite += now.filter(Number.isFinite).length;
    });
  }
  // a crop with the old grey fill (128) on a third of it, and one with a different size
  const grey = { ...images[0], data: images[0].data.slice() };
  grey.data.fill(128, 0, Math.floor(grey.data.length / 3));
  sameRow(features.measureAttributes(grey, meshes[0]), attributesV1.measureAttributes(grey, meshes[0]), 'grey-filled crop');
  const half = faces.halve(images[1]);
  const halfMesh = meshes[1].map((v) => v / 2);
  sameRow(features.measureAttributes(half, halfMesh), attributesV1.measureAttributes(half, halfMesh), 'halved crop');
  sameRow(features.measureAttributes(images[1], meshes[1]), attributesV1.measureAttributes(images[1], meshes[1]), 'full size again');
  assert.ok(finite > images.length * 3 * 20, `${finite} finite measures`);
});

/** The same bytes (a message naming the first differing one otherwise). */
function sameImage(a: faces.RgbImage, b: faces.RgbImage, what: string): void {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels], `${what}: shape`);
  const k = a.data.findIndex((v, i) => v !== b.data[i]);
  assert.equal(k, -1, `${what}: byte ${k} is ${a.data[k]}, was ${b.data[k]}`);
}

test('netCrops() and axis-aligned warps give the pixels of the code before the speed-up', () => {
  assert.ok(images.length >= 8, `${images.length} demo faces`);
  const now = features.netCrops(images, landmarks);
  const before = cropsV1.netCrops(images, landmarks);
  images.forEach((_, i) => {
    sameImage(now.descriptor[i], before.descriptor[i], `descriptor crop ${i}`);
    sameImage(now.attribute[i], before.attribute[i], `attribute crop ${i}`);
  });
  // scales and shifts of every kind (shrinking past 2x, enlarging, leaving the image), each fill
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let t = 0; t < 60; t++) {
    const img = images[t % images.length];
    const s = 0.2 + 3 * rand();
    const m: faces.Affine = [s, 0, (rand() - 0.5) * 300, 0, s, (rand() - 0.5) * 300];
    const size = { width: 20 + Math.floor(rand() * 200), height: 20 + Math.floor(rand() * 200) };
    for (const fill of ['edge', [0, 0, 0], [128, 30, 200]] as const) {
      const o = { ...size, fill: fill === 'edge' ? ('edge' as const) : [...fill] };
      sameImage(faces.warpAffine(img, m, o), cropsV1.warpAffine(img, m, o), `warp ${t} (scale ${s.toFixed(2)}, fill ${fill})`);
    }
    const rect: [number, number, number, number] = [rand() * 200 - 20, rand() * 200 - 20, 10 + rand() * 150, 10 + rand() * 150];
    sameImage(paddedRectCrop(img, rect, 112), cropsV1.paddedRectCrop(img, rect, 112), `padded rect ${rect.map((v) => v.toFixed(1))}`);
  }
});

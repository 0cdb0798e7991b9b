import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { average } from 'facetype';
import { constant, imageFrom, jitter, pattern, random, template68 } from './helpers';

const C = 64;

async function raw(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

test('averagePng() upscales by the factor with Lanczos and keeps a flat colour flat', async () => {
  const png = await average.averagePng(constant(C, C, [90, 140, 200]));
  const r = await raw(png);
  assert.equal(r.width, 2 * C);
  assert.equal(r.height, 2 * C);
  let d = 0;
  for (let i = 0; i < r.data.length; i += r.channels) {
    d = Math.max(d, Math.abs(r.data[i] - 90), Math.abs(r.data[i + 1] - 140), Math.abs(r.data[i + 2] - 200));
  }
  assert.ok(d <= 1, `flat colour changed by ${d}`);
});

test('averagePng() sharpening raises edge contrast slightly, scale 1 keeps the size', async () => {
  const img = imageFrom(C, C, pattern);
  const soft = await raw(await average.averagePng(img, { sharpen: false }));
  const sharp1 = await raw(await average.averagePng(img));
  const contrast = (r: { data: Buffer }) => {
    let s = 0;
    for (let i = 3; i < r.data.length; i++) s += Math.abs(r.data[i] - r.data[i - 3]);
    return s;
  };
  const gain = contrast(sharp1) / contrast(soft);
  assert.ok(gain > 1 && gain < 1.5, `sharpening gain ${gain}`);
  const same = await raw(await average.averagePng(img, { scale: 1, sharpen: false }));
  assert.equal(same.width, C);
  let d = 0;
  for (let i = 0; i < img.data.length; i++) d = Math.max(d, Math.abs(same.data[i] - img.data[i]));
  assert.equal(d, 0);
});

test('averageLabel() formats group, description and size', () => {
  assert.equal(average.averageLabel(0, 812, 'older men, neutral'), '0 · older men, neutral · n=812');
  assert.equal(average.averageLabel(3, 12), 'cluster 3 · n=12');
  assert.equal(average.averageLabel(null, 9000), 'all · n=9000');
});

test('gridImage() lays out labelled tiles', async () => {
  const tiles = [0, 1, 2, 3, 4].map((i) => ({ image: constant(C, C, [i * 50, 0, 0]), label: average.averageLabel(i, 10 * i, i === 0 ? 'a & <b>' : null) }));
  const png = await average.gridImage(tiles, { columns: 3, gap: 4, labelHeight: 20 });
  const r = await raw(png);
  assert.equal(r.width, 4 + 3 * (C + 4));
  assert.equal(r.height, 4 + 2 * (C + 20 + 4));
  // second tile's centre has its colour
  const at = (x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x) * r.channels + 3));
  assert.deepEqual(at(4 + C + 4 + C / 2, 4 + C / 2), [50, 0, 0]);
  // the label strip under a tile has dark text pixels on white
  let dark = 0;
  for (let y = 4 + C; y < 4 + C + 20; y++) for (let x = 4; x < 4 + C; x++) if (at(x, y)[0] < 100) dark++;
  assert.ok(dark > 10, `label pixels: ${dark}`);
  // encoded tiles and a title
  const titled = await raw(await average.gridImage([{ image: png, label: 'grid' }], { tileSize: 50, title: 'Title' }));
  assert.equal(titled.width, 10 + 50 + 10);
});

test('saveAverages() writes the averages, pixel means and grids', async () => {
  const rnd = random(3);
  const T = template68(C);
  const faces = Array.from({ length: 6 }, (_, i) => ({ image: constant(C, C, [40 * i, 80, 120]), points: jitter(T, rnd), group: i % 2 }));
  const result = await average.averageFaces(faces, { workers: 0, cropSize: C });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-save-'));
  try {
    const files = await average.saveAverages(result, dir, { labels: ['left', 'right'], scale: 1.5 });
    const names = files.map((f) => path.basename(f)).sort();
    assert.deepEqual(names, [
      'cluster-0.png', 'cluster-1.png', 'global.png', 'grid-pixel-mean.png', 'grid.png',
      'pixel-mean-cluster-0.png', 'pixel-mean-cluster-1.png', 'pixel-mean-global.png',
    ]);
    const meta = await sharp(path.join(dir, 'cluster-1.png')).metadata();
    assert.equal(meta.width, 96);
    assert.equal(meta.format, 'png');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('finishing functions reject bad input with named parameters', async () => {
  const img = constant(C, C, [0, 0, 0]);
  await assert.rejects(average.averagePng(img, { scale: 0 }), /Expected number in \[0.1, 16\] for scale but received 0 of type number/);
  await assert.rejects(average.averagePng(img, { sharpen: { sigma: 0, m1: 1, m2: 1 } }), /Expected number in \[0.000001, 10\] for sharpen.sigma but received 0 of type number/);
  await assert.rejects(average.averagePng(img, { sharpen: { sigma: 1, m1: -1, m2: 1 } }), /Expected number in \[0, 1000000\] for sharpen.m1 but received -1 of type number/);
  await assert.rejects(average.averagePng(img, { sharpen: { sigma: 1, m1: 1, m2: NaN } }), /Expected number in \[0, 1000000\] for sharpen.m2 but received NaN of type number/);
  await assert.rejects(average.averagePng({ ...img, channels: 1 } as never), /Expected 3 for image.channels but received 1 of type number/);
  await assert.rejects(average.gridImage([]), /Expected a non-empty array of \{ image, label \} for tiles but received an array of length 0/);
  const tile = { image: img, label: 'x' };
  await assert.rejects(average.gridImage([tile], { columns: 0 }), /Expected integer in \[1, 100\] for columns but received 0 of type number/);
  await assert.rejects(average.gridImage([tile], { tileSize: 2 }), /Expected integer in \[8, 4096\] for tileSize but received 2 of type number/);
  await assert.rejects(average.gridImage([tile], { labelHeight: -1 }), /Expected integer in \[0, 500\] for labelHeight but received -1 of type number/);
  await assert.rejects(average.gridImage([tile], { gap: 0.5 }), /Expected integer in \[0, 500\] for gap but received 0.5 of type number/);
  await assert.rejects(average.gridImage([tile], { fontSize: 0 }), /Expected number in \[1, 200\] for fontSize but received 0 of type number/);
  await assert.rejects(average.gridImage([{ image: img, label: 3 as never }]), /Expected string for tiles\[0\].label but received 3 of type number/);
  await assert.rejects(average.gridImage([{ image: { data: 1 } as never, label: 'x' }], { tileSize: 10 }), /Expected an RGB image .* for tiles\[\]\.image but received a value of type object/);
  await assert.rejects(average.saveAverages({} as never, '/tmp/x'), /Expected an averageFaces\(\) result for result but received a value of type object/);
  const rnd = random(1);
  const T = template68(C);
  const result = await average.averageFaces([{ image: img, points: jitter(T, rnd) }], { workers: 0, cropSize: C });
  await assert.rejects(average.saveAverages(result, ''), /Expected non-empty string for dir but received '' of type string/);
  await assert.rejects(average.saveAverages(result, '/tmp/x', { labels: 'a' as never }), /Expected an array of strings or null for labels but received 'a' of type string/);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, features, projectPaths, stages } from 'facetype';

let data = '';
before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-features-'));
  await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
});
after(() => fs.rmSync(data, { recursive: true, force: true }));

test('extractFeatures() gives a finite 128-d descriptor and plausible attributes for every kept face', { timeout: 300_000 }, async () => {
  const f = await stages.extractFeatures({ dataDir: data, onProgress: false, batchSize: 4 });
  const n = f.names.length;
  assert.ok(n >= 8);
  assert.equal(f.computed, n);
  assert.equal(f.descriptors.length, n * features.DESCRIPTOR_DIM);
  assert.equal(f.attributes.length, n * features.ATTRIBUTE_DIM);
  // the measured attributes come with the features, one row per face, and make traits
  assert.equal(f.measures.length, n * features.MEASURE_DIM);
  const ita = Array.from({ length: n }, (_, i) => f.measures[i * features.MEASURE_DIM + features.MEASURES.indexOf('ita')]);
  assert.ok(ita.filter(Number.isFinite).length >= n * 0.8, `ITA ${ita.map((v) => v.toFixed(0))}`);
  const traits = stages.faceTraits(f);
  assert.ok(traits.length >= 10 && traits.every((t) => t.values.length === n), traits.map((t) => t.name).join(', '));
  for (let i = 0; i < n; i++) {
    const d = f.descriptors.subarray(i * 128, (i + 1) * 128);
    assert.ok(d.every(Number.isFinite));
    const norm = Math.hypot(...d);
    assert.ok(norm > 0.5 && norm < 3, `descriptor norm ${norm}`);
    const a = f.attributes.subarray(i * 9, (i + 1) * 9);
    assert.ok(a[0] > 5 && a[0] < 90, `age ${a[0]}`);
    assert.ok(a[1] >= 0 && a[1] <= 1, `male ${a[1]}`);
    const expr = Array.from(a.subarray(2)).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(expr - 1) < 1e-3, `expressions sum ${expr}`);
  }
  // the demo's faces are all women: the gender net should say so for most
  const male = Array.from({ length: n }, (_, i) => f.attributes[i * 9 + 1]);
  assert.ok(male.filter((p) => p < 0.5).length >= n * 0.7, `male probabilities ${male.map((p) => p.toFixed(2))}`);
  // distinct people have distinct descriptors
  const dist = (i: number, j: number) => Math.hypot(...f.descriptors.subarray(i * 128, (i + 1) * 128).map((v, k) => v - f.descriptors[j * 128 + k]));
  assert.ok(dist(0, 1) > 0.2);
});

test('extractFeatures() re-run reads the cache; a torn write is recomputed, only that chunk', { timeout: 300_000 }, async () => {
  const first = await stages.extractFeatures({ dataDir: data, onProgress: false, batchSize: 4 });
  assert.equal(first.computed, 0);
  const p = stages.featurePaths(projectPaths(data));
  // simulate an interruption while the last chunk was being written
  const size = fs.statSync(p.descriptors).size;
  fs.truncateSync(p.descriptors, size - 100);
  const resumed = await stages.extractFeatures({ dataDir: data, onProgress: false, batchSize: 4 });
  assert.ok(resumed.computed > 0 && resumed.computed <= 4, `recomputed ${resumed.computed}`);
  // same numbers as before (deterministic nets)
  for (let i = 0; i < first.descriptors.length; i++) assert.ok(Math.abs(first.descriptors[i] - resumed.descriptors[i]) < 1e-5);
});

test('extractFeatures() without a preparation says what to run first', async () => {
  await assert.rejects(stages.extractFeatures({ dataDir: path.join(data, 'empty'), onProgress: false }), /No prepared faces in .*: run the preparation first/);
});

test('descriptorBox() follows face-api: side = eye-to-mouth distance / 0.45', () => {
  const lm = new Float32Array(136);
  for (let i = 36; i < 42; i++) { lm[2 * i] = 90; lm[2 * i + 1] = 100; }
  for (let i = 42; i < 48; i++) { lm[2 * i] = 150; lm[2 * i + 1] = 100; }
  for (let i = 48; i < 68; i++) { lm[2 * i] = 120; lm[2 * i + 1] = 140; }
  const [x, y, side] = features.descriptorBox(lm);
  const d = Math.hypot(30, 40);
  assert.ok(Math.abs(side - d / 0.45) < 1e-4);
  assert.ok(Math.abs(x - (120 - 0.5 * side)) < 1e-4);
  assert.ok(Math.abs(y - ((100 + 100 + 140) / 3 - 0.43 * side)) < 1e-4);
});

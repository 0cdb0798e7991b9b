import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { features, projectPaths, runtime, stages } from 'facetype';

// face-api's nets converted to ONNX (features/onnx-nets.ts) on onnxruntime-node against face-api
// itself on tfjs WASM, on the demo photos' real aligned crops
const { ort, reason } = runtime.onnxRuntime();
const skip = ort ? false : `onnxruntime-node unavailable: ${reason}`;

let data = '';
let images: { data: Uint8Array; width: number; height: number; channels: number }[] = [];
let landmarks: Float32Array[] = [];
before(async () => {
  if (!ort) return;
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-onnx-nets-'));
  await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
  const prep = stages.loadPrepared(projectPaths(data));
  images = await Promise.all(prep.images.map((f) => features.readCrop(f)));
  const L = prep.landmarks68.length / prep.images.length;
  landmarks = prep.images.map((_, i) => prep.landmarks68.subarray(i * L, (i + 1) * L));
});
after(() => {
  if (data) fs.rmSync(data, { recursive: true, force: true });
});

/** Max |a - b| over the rows of B x D outputs, column range [c0, c1). */
function maxDiff(a: Float32Array, b: Float32Array, D: number, c0: number, c1: number): number {
  let m = 0;
  for (let i = 0; i < a.length / D; i++) for (let k = c0; k < c1; k++) m = Math.max(m, Math.abs(a[i * D + k] - b[i * D + k]));
  return m;
}

test('the ONNX nets on onnxruntime-node give face-api\'s tfjs outputs on real faces (batch 16)', { skip, timeout: 300_000 }, async (t) => {
  const { tf } = await runtime.initBackend({ prefer: 'wasm' });
  const tfjsNets = await features.FaceNets.load(tf, 'wasm', { onnx: 'off' });
  const ortNets = await features.FaceNets.load(tf, 'wasm', { onnx: 'auto' });
  assert.match(ortNets.runtime, /onnxruntime-node/);
  assert.match(tfjsNets.runtime, /tfjs/);
  assert.ok(images.length >= 8, `${images.length} demo faces`);
  // 16 faces: the demo's, then repeated
  const idx = Array.from({ length: 16 }, (_, i) => i % images.length);
  const ref = await tfjsNets.run(idx.map((i) => images[i]), idx.map((i) => landmarks[i]));
  const out = await ortNets.run(idx.map((i) => images[i]), idx.map((i) => landmarks[i]));
  const D = features.ATTRIBUTE_DIM;
  const A = features.ATTRIBUTE;
  const diff = {
    descriptor: maxDiff(ref.descriptors, out.descriptors, features.DESCRIPTOR_DIM, 0, features.DESCRIPTOR_DIM),
    age: maxDiff(ref.attributes, out.attributes, D, A.age, A.age + 1),
    male: maxDiff(ref.attributes, out.attributes, D, A.male, A.male + 1),
    expressions: maxDiff(ref.attributes, out.attributes, D, A.firstExpression, A.firstExpression + 7),
  };
  t.diagnostic(`max abs diff ORT vs tfjs over 16 faces: ${JSON.stringify(diff)}`);
  assert.ok(diff.descriptor < 1e-4, `descriptor ${diff.descriptor}`);
  assert.ok(diff.age < 0.05, `age ${diff.age}`);
  assert.ok(diff.male < 1e-4, `male ${diff.male}`);
  assert.ok(diff.expressions < 1e-4, `expressions ${diff.expressions}`);
  // the outputs are real (not a constant): distinct people, distinct descriptors
  assert.ok(maxDiff(out.descriptors.subarray(0, 128), out.descriptors.subarray(128, 256), 128, 0, 128) > 0.05);

  // batch 1 gives the same numbers as batch 16
  for (let j = 0; j < 16; j += 5) {
    const one = await ortNets.run([images[idx[j]]], [landmarks[idx[j]]]);
    assert.deepEqual(Array.from(one.descriptors), Array.from(out.descriptors.subarray(j * 128, (j + 1) * 128)), `face ${j}: descriptor batch 1 vs 16`);
    assert.deepEqual(Array.from(one.attributes), Array.from(out.attributes.subarray(j * D, (j + 1) * D)), `face ${j}: attributes batch 1 vs 16`);
  }
});

test('the features stage runs the ONNX nets inside its worker threads, with the tfjs results', { skip, timeout: 300_000 }, async () => {
  const p = stages.featurePaths(projectPaths(data));
  const saved = process.env.FACETYPE_ONNX;
  try {
    process.env.FACETYPE_ONNX = 'off';
    const ref = await stages.extractFeatures({ dataDir: data, onProgress: false, batchSize: 4, workers: 2 });
    fs.rmSync(p.dir, { recursive: true, force: true });
    delete process.env.FACETYPE_ONNX;
    const out = await stages.extractFeatures({ dataDir: data, onProgress: false, batchSize: 4, workers: 2 });
    assert.equal(out.computed, out.names.length);
    assert.match(out.backend ?? '', /onnxruntime-node/);
    assert.deepEqual(out.names, ref.names);
    assert.ok(maxDiff(ref.descriptors, out.descriptors, 128, 0, 128) < 1e-4);
    assert.ok(maxDiff(ref.attributes, out.attributes, features.ATTRIBUTE_DIM, 0, 1) < 0.05);
    assert.ok(maxDiff(ref.attributes, out.attributes, features.ATTRIBUTE_DIM, 1, features.ATTRIBUTE_DIM) < 1e-4);
  } finally {
    if (saved === undefined) delete process.env.FACETYPE_ONNX;
    else process.env.FACETYPE_ONNX = saved;
  }
});

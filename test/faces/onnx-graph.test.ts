import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { faces, projectRoot, runtime } from 'facetype';
import { FaceDetector } from 'facetype/dist/faces/detector';

const { ort, reason } = runtime.onnxRuntime();
const skip = ort ? false : `onnxruntime-node unavailable: ${reason}`;
const DEMO = path.join(projectRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo');

type Image = { data: Uint8Array; width: number; height: number; channels: 3 };

async function demoPhotos(): Promise<{ name: string; image: Image }[]> {
  const names = fs.readdirSync(DEMO).filter((f) => f.endsWith('.jpg')).sort();
  assert.ok(names.length > 0, `no demo photos in ${DEMO}`);
  const out: { name: string; image: Image }[] = [];
  for (const name of names) {
    const d = await faces.decodePhoto(path.join(DEMO, name));
    assert.ok(d.ok, `${name} did not decode`);
    out.push({ name, image: d.image as Image });
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('convertGraphModel() names the unsupported op and the model', () => {
  const files = {
    modelTopology: { node: [{ name: 'x', op: 'Placeholder' }, { name: 'y', op: 'FancyOp', input: ['x'] }] },
    weightSpecs: [],
    weightData: new ArrayBuffer(0),
  };
  assert.throws(() => runtime.convertGraphModel(files as never, 'toy'), /ONNX conversion of toy: unsupported tfjs op\(s\) FancyOp/);
  // rvm's graph has control flow (Switch, Merge) and dynamic shapes: it stays on tfjs
  assert.throws(() => runtime.graphModelToOnnx('rvm'), /ONNX conversion of rvm: unsupported tfjs op\(s\) .*Switch/);
});

test('the converted graphs give the tfjs outputs (random input; batch 2)', { skip }, async () => {
  const { tf } = await runtime.initBackend({});
  for (const name of ['blazeface-front', 'blazeface', 'facemesh', 'selfie', 'meet'] as const) {
    const g = runtime.graphModelToOnnx(name);
    const session = await runtime.OnnxSession.create(ort!, g.model);
    const model = await runtime.loadGraphModel(tf, name);
    const [, H, W, C] = g.input.shape as number[];
    const B = 2;
    const x = Float32Array.from({ length: B * H * W * C }, (_, i) => Math.sin(i * 0.37) * 0.9);
    const onnx = await session.run({ [g.input.name]: { data: x, dims: [B, H, W, C] } });
    for (let b = 0; b < B; b++) {
      // tfjs at batch 1 (BlazeFace's graph has a fixed batch)
      const res = model.execute(tf.tensor4d(x.subarray(b * H * W * C, (b + 1) * H * W * C), [1, H, W, C]));
      const outs = (Array.isArray(res) ? res : [res]) as { dataSync(): Float32Array; shape: number[] }[];
      model.outputs.forEach((o, i) => {
        const mine = g.outputs.find((out) => out.name === o.name || out.name === `${o.name}__out`);
        assert.ok(mine, `${name}: no ONNX output for ${o.name}`);
        const t = onnx[mine.name];
        const per = t.data.length / B;
        const ref = outs[i].dataSync();
        const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
        const d = maxDiff(t.data.subarray(b * per, (b + 1) * per), ref);
        assert.ok(d <= 1e-5 * Math.max(1, scale) * 10, `${name} ${o.name}: max diff ${d} (values up to ${scale})`);
      });
    }
  }
});

test('FaceDetector on onnxruntime-node finds the same faces as on tfjs (demo photos), batched = one by one', { skip }, async () => {
  const { tf } = await runtime.initBackend({});
  const photos = await demoPhotos();
  const viaTfjs = await FaceDetector.load(tf, {}, { onnx: 'off' });
  const viaOrt = await FaceDetector.load(tf, {}, { onnx: 'auto' });
  assert.equal(viaTfjs.runtime, 'tfjs');
  assert.match(viaOrt.runtime, /onnxruntime-node/);
  const images = photos.map((p) => p.image);
  const ref = await viaTfjs.detectBatch(images);
  const batched = await viaOrt.detectBatch(images);
  let boxDiff = 0;
  let meshDiff = 0;
  let scoreDiff = 0;
  let count = 0;
  for (let i = 0; i < photos.length; i++) {
    const single = await viaOrt.detect(images[i]);
    assert.equal(batched[i].length, ref[i].length, `${photos[i].name}: ${batched[i].length} faces on ORT, ${ref[i].length} on tfjs`);
    assert.equal(single.length, batched[i].length, `${photos[i].name}: batch 1 and batched differ in face count`);
    for (let f = 0; f < ref[i].length; f++) {
      const a = batched[i][f];
      const b = ref[i][f];
      const s = single[f];
      assert.equal(a.detector, b.detector);
      boxDiff = Math.max(boxDiff, maxDiff(a.box, b.box), maxDiff(a.keypoints, b.keypoints));
      scoreDiff = Math.max(scoreDiff, Math.abs(a.score - b.score), Math.abs(a.meshScore - b.meshScore));
      assert.ok(a.mesh && b.mesh, `${photos[i].name} face ${f}: a mesh is missing`);
      meshDiff = Math.max(meshDiff, maxDiff(a.mesh, b.mesh));
      // batch 1 vs batched on ORT
      assert.deepEqual(s.box, a.box, `${photos[i].name} face ${f}: batch 1 and batched boxes differ`);
      assert.deepEqual(s.mesh, a.mesh, `${photos[i].name} face ${f}: batch 1 and batched meshes differ`);
      assert.equal(s.score, a.score);
      count++;
    }
  }
  console.log(`# ${photos.length} demo photos, ${count} faces: ORT vs tfjs max diff box/keypoints ${boxDiff.toExponential(2)} px, mesh ${meshDiff.toExponential(2)} px, scores ${scoreDiff.toExponential(2)}`);
  assert.ok(count > 0, 'no faces found on the demo photos');
  assert.ok(boxDiff < 0.05, `box diff ${boxDiff} px`);
  assert.ok(meshDiff < 0.05, `mesh diff ${meshDiff} px`);
  assert.ok(scoreDiff < 1e-4, `score diff ${scoreDiff}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, projectRoot, runtime } from 'facetype';

const demo = path.join(projectRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo');

async function square(file: string, size = 256): Promise<{ data: Uint8Array; width: number; height: number }> {
  const data = await sharp(file).resize(size, size, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  return { data: new Uint8Array(data), width: size, height: size };
}

test('PersonSegmenter finds people in a photo and none in a flat grey image, with every net', { timeout: 120_000 }, async () => {
  const { tf } = await runtime.initBackend();
  const photo = await square(path.join(demo, 'sample1.jpg'));
  const grey = { data: new Uint8Array(256 * 256 * 3).fill(128), width: 256, height: 256 };
  const mean = (m: faces.GreyImage) => m.data.reduce((s, v) => s + v, 0) / (m.data.length * 255);
  for (const name of faces.SEGMENT_MODELS) {
    const seg = await faces.PersonSegmenter.load(tf, name);
    const m = await seg.segment(photo);
    assert.equal(m.data.length, 256 * 256);
    assert.ok(mean(m) > 0.15, `${name}: person share ${mean(m)}`);
    assert.ok(mean(await seg.segment(grey)) < 0.1, `${name} on grey`);
  }
  await assert.rejects(faces.PersonSegmenter.load(tf, 'hair' as faces.SegmentModel), /segmentation model/);
});

test('selfie and meet on onnxruntime-node give the tfjs masks (demo photos, 256 and 200 px), batch 1 = batched', { timeout: 300_000 }, async (t) => {
  const { ort, reason } = runtime.onnxRuntime();
  if (!ort) return t.skip(`onnxruntime-node unavailable: ${reason}`);
  const { tf } = await runtime.initBackend();
  const files = fs.readdirSync(demo).filter((f) => f.endsWith('.jpg')).sort();
  assert.ok(files.length > 0, `no demo photos in ${demo}`);
  // 256 px: selfie's own size (no resize); 200 px: resized in and out (selfie and meet)
  const sets = [await Promise.all(files.map((f) => square(path.join(demo, f)))), await Promise.all(files.map((f) => square(path.join(demo, f), 200)))];
  for (const name of ['selfie', 'meet'] as const) {
    const viaTfjs = await faces.PersonSegmenter.load(tf, name, { onnx: 'off' });
    const viaOrt = await faces.PersonSegmenter.load(tf, name, { onnx: 'auto' });
    assert.equal(viaTfjs.runtime, 'tfjs');
    assert.match(viaOrt.runtime, /onnxruntime-node/);
    let alphaDiff = 0;
    let maskDiff = 0;
    let person = 0;
    for (const imgs of sets) {
      const ref = await viaTfjs.alphas(imgs);
      const batched = await viaOrt.alphas(imgs);
      const masks = await viaOrt.segmentBatch(imgs);
      const refMasks = await viaTfjs.segmentBatch(imgs);
      for (let i = 0; i < imgs.length; i++) {
        const single = (await viaOrt.alphas([imgs[i]]))[0];
        assert.deepEqual(single, batched[i], `${name} ${files[i]}: batch 1 and batched alphas differ`);
        assert.equal(batched[i].length, imgs[i].width * imgs[i].height);
        for (let k = 0; k < ref[i].length; k++) {
          alphaDiff = Math.max(alphaDiff, Math.abs(batched[i][k] - ref[i][k]));
          maskDiff = Math.max(maskDiff, Math.abs(masks[i].data[k] - refMasks[i].data[k]));
          person += batched[i][k];
        }
      }
    }
    console.log(`# ${name}: ${files.length} demo photos x 2 sizes, ORT vs tfjs max alpha diff ${alphaDiff.toExponential(2)}, max mask diff ${maskDiff} (of 255)`);
    assert.ok(person > 0, `${name}: no person found on ORT`);
    assert.ok(alphaDiff <= 1e-3, `${name}: alpha diff ${alphaDiff}`);
    assert.ok(maskDiff <= 1, `${name}: mask diff ${maskDiff} levels`);
  }
});

test('writeMask() and readMask() round-trip; maskDir() carries the model and version', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segment-'));
  const mask = { data: Uint8Array.from({ length: 64 }, (_, i) => i * 4), width: 8, height: 8 };
  const file = faces.maskPath(dir, '/a/b/face_1.jpg');
  assert.equal(path.basename(file), 'face_1.png');
  await faces.writeMask(file, mask);
  assert.deepEqual((await faces.readMask(file))?.data, mask.data);
  assert.equal(await faces.readMask(path.join(dir, 'absent.png')), null);
  assert.equal(path.basename(faces.maskDir('/x', 'meet')), `masks-meet-v${faces.MASK_VERSION}`);
  fs.rmSync(dir, { recursive: true });
});

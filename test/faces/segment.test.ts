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

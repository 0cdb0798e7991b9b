import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { projectRoot, stages } from 'facetype';

const demo = path.join(projectRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo');

async function square(file: string, size = 256): Promise<{ data: Uint8Array; width: number; height: number }> {
  const data = await sharp(file).resize(size, size, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  return { data: new Uint8Array(data), width: size, height: size };
}

test('personMasks() computes masks on the features worker, caches them, and records unreadable crops', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'masks-'));
  const crops = [];
  for (const s of ['sample1', 'sample2']) {
    const file = path.join(dir, `${s}.jpg`);
    const img = await square(path.join(demo, `${s}.jpg`));
    await sharp(img.data, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toFile(file);
    crops.push(file);
  }
  const broken = path.join(dir, 'broken.jpg');
  fs.writeFileSync(broken, 'not a jpeg');
  const out = path.join(dir, 'masks');
  const r = await stages.personMasks([...crops, broken], out, { onProgress: false });
  assert.equal(r.computed, 2);
  assert.equal(r.failed, 1);
  assert.equal(r.masks[2], null);
  assert.match(r.errors[0], /broken\.jpg/);
  assert.ok(r.masks[0] && fs.existsSync(r.masks[0]));
  const again = await stages.personMasks(crops, out, { onProgress: false });
  assert.equal(again.cached, 2);
  assert.equal(again.computed, 0);
  fs.rmSync(dir, { recursive: true });
});

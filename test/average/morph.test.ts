import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { average } from 'facetype';
import { constant, jitter, maxDiff, random, template68 } from './helpers';

const C = 64;

async function twoGroups(): Promise<average.AverageResult> {
  const rnd = random(9);
  const T = template68(C);
  const faces: average.FaceInput[] = [];
  for (let i = 0; i < 8; i++) {
    // group 1's faces are wider: another mean shape
    const p = jitter(T, rnd);
    if (i % 2 === 1) for (let k = 0; k < p.length; k += 2) p[k] = C / 2 + (p[k] - C / 2) * 1.1;
    faces.push({ image: constant(C, C, i % 2 ? [20, 20, 220] : [220, 20, 20]), points: p, group: i % 2 });
  }
  return average.averageFaces(faces, { workers: 0, cropSize: C, groups: 2, mask: false });
}

test('morphFrames() starts at the first average, ends at the second, and blends between', async () => {
  const r = await twoGroups();
  const frames = average.morphFrames(r.groups[0], r.groups[1], { steps: 5 });
  assert.equal(frames.length, 5);
  assert.ok(maxDiff(frames[0].data, r.groups[0].average.data) <= 1);
  assert.ok(maxDiff(frames[4].data, r.groups[1].average.data) <= 1);
  const mid = frames[2].data.subarray(3 * (32 * C + 32), 3 * (32 * C + 32) + 3);
  assert.ok(Math.abs(mid[0] - 120) <= 2 && Math.abs(mid[2] - 120) <= 2, `${mid}`);
});

test('morphStrip() and morphAnimation() encode PNG, GIF and WebP', async () => {
  const r = await twoGroups();
  const frames = average.morphFrames(r.groups[0], r.groups[1], { steps: 3 });
  const strip = await average.morphStrip(frames, ['a', 'b'], 64);
  assert.equal((await sharp(strip).metadata()).format, 'png');
  const gif = await average.morphAnimation(frames);
  const meta = await sharp(gif, { animated: true }).metadata();
  assert.equal(meta.format, 'gif');
  assert.equal(meta.pages, 4); // there and back: 3 + 1
  const webp = await average.morphAnimation(frames, { format: 'webp', scale: 2 });
  assert.equal((await sharp(webp).metadata()).format, 'webp');
});

test('morphFrames() rejects meshes of other layouts by name', async () => {
  const r = await twoGroups();
  const other = { ...r.groups[1], mesh: { ...r.groups[1].mesh, points: new Float32Array(10) } };
  assert.throws(() => average.morphFrames(r.groups[0], other), /to\.mesh/);
  assert.throws(() => average.morphFrames(r.groups[0], r.groups[1], { steps: 1 }), /steps/);
});

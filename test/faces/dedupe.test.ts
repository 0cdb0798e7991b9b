import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, stages } from 'facetype';
import { sharedDir } from '../support/shared-data';

const img = (w: number, h: number, f: (x: number, y: number) => number) => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h, channels: 3 };
};

test('hammingDistance() counts differing bits and refuses hashes of different lengths', () => {
  assert.equal(faces.hammingDistance(Uint8Array.of(0b1011, 0xff), Uint8Array.of(0b0001, 0x0f)), 6);
  assert.throws(() => faces.hammingDistance(new Uint8Array(2), new Uint8Array(3)), /different lengths \(2 and 3 bytes\)/);
});

test('dHash() of a left-to-right brightening image is all zeros, of its mirror all ones, and ignores a uniform brightness change', () => {
  const ramp = img(64, 64, (x) => x * 4);
  const mirror = img(64, 64, (x) => 255 - x * 4);
  const bits = (h: Uint8Array) => faces.hammingDistance(h, new Uint8Array(h.length));
  assert.equal(bits(faces.dHash(ramp, { hashSize: 8 })), 0);
  assert.equal(bits(faces.dHash(mirror, { hashSize: 8 })), 64);
  assert.equal(faces.dHash(ramp).length, 32); // 16 x 16 bits by default
  const brighter = img(64, 64, (x) => x * 3 + 50);
  assert.equal(faces.hammingDistance(faces.dHash(ramp), faces.dHash(brighter)), 0);
});

test('nearDuplicateGroups() merges close hashes unless their descriptors are far apart, first index first', () => {
  const h = (b: number) => Uint8Array.of(b, 0, 0, 0);
  const groups = faces.nearDuplicateGroups([
    { hash: h(0b0000) }, { hash: h(0b0001) }, { hash: Uint8Array.of(0xff, 0xff, 0xff, 0xff) }, { hash: h(0b0011) },
  ], { maxHammingDistance: 2 });
  assert.deepEqual(groups, [[0, 1, 3]]);
  const gated = faces.nearDuplicateGroups([
    { hash: h(0), descriptor: [0, 0] }, { hash: h(1), descriptor: [0.5, 0] }, { hash: h(1), descriptor: [0.1, 0] },
  ], { maxHammingDistance: 2, maxDescriptorDistance: 0.25 });
  assert.deepEqual(gated, [[0, 2]]);
  assert.throws(() => faces.nearDuplicateGroups([], { maxHamming: 2 } as never), /Expected a known option/);
});

// a data folder prepared from CelebA (npm start -- --source <celeba images> --data <dir>): slow to make, so opt-in
const RUN = process.env.FACETYPE_CELEBA_DATA ? path.join(path.resolve(process.env.FACETYPE_CELEBA_DATA), 'processed') : '';
const ATTR = path.join(sharedDir(), 'data', 'celeba', 'attributes.csv');

test('dHash thresholds on CelebA crops: re-encodings and resizes of a photo are near duplicates, other photos of the person are not', { timeout: 300_000 }, async (t) => {
  if (!RUN || !fs.existsSync(path.join(RUN, 'faces.json')) || !fs.existsSync(ATTR)) {
    t.skip(`needs a data folder prepared from CelebA in FACETYPE_CELEBA_DATA (${RUN || 'unset'}) and ${ATTR}`);
    return;
  }
  const kept = (JSON.parse(fs.readFileSync(path.join(RUN, 'faces.json'), 'utf8')) as { faces: { name: string; photo: string }[] }).faces;
  const identity = new Map(fs.readFileSync(ATTR, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(',')).map(([f, id]) => [f, Number(id)]));
  const byId = new Map<number, string[]>();
  for (const f of kept) {
    const id = identity.get(f.photo);
    if (id !== undefined && id % 2 === 1) (byId.get(id) ?? byId.set(id, []).get(id)!).push(f.name); // the checked half
  }
  const hash = async (buf: Buffer) => {
    const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return faces.dHash({ data, width: info.width, height: info.height, channels: 3 });
  };
  const limit = faces.DEDUPE_DEFAULTS.maxHammingDistance;
  const same: number[] = [];
  const variants: number[] = [];
  for (const names of [...byId.values()].filter((n) => n.length >= 2).slice(0, 60)) {
    const bufs = names.slice(0, 2).map((n) => fs.readFileSync(path.join(RUN, 'faces', n)));
    const [a, b] = await Promise.all(bufs.map(hash));
    same.push(faces.hammingDistance(a, b));
    for (const v of [await sharp(bufs[0]).jpeg({ quality: 40 }).toBuffer(), await sharp(await sharp(bufs[0]).resize(128).toBuffer()).resize(256).toBuffer()]) {
      variants.push(faces.hammingDistance(a, await hash(v)));
    }
  }
  const merged = same.filter((d) => d <= limit).length;
  console.log(`# ${same.length} same-identity pairs: ${merged} under ${limit} bits; ${variants.length} re-encodings/resizes: max ${Math.max(...variants)} bits`);
  assert.ok(variants.every((d) => d <= limit), `a re-encoding is ${Math.max(...variants)} bits away`);
  assert.ok(merged <= Math.ceil(0.05 * same.length), `${merged} of ${same.length} same-identity pairs under the hash limit`);
});

test('gradientCorrelation() ignores brightness and contrast, meshDistance() is the RMS point distance', () => {
  const a = Array.from({ length: 64 }, (_, i) => ((i * 37) % 11) * 20);
  assert.ok(Math.abs(faces.gradientCorrelation(a, a.map((v) => 0.5 * v + 30)) - 1) < 1e-9);
  assert.ok(faces.gradientCorrelation(a, a.map((v) => 255 - v)) < -0.99);
  assert.equal(faces.gradientCorrelation(a, new Array(64).fill(7)), 0);
  assert.throws(() => faces.gradientCorrelation([1, 2, 3], [1, 2, 3]), /not square/);
  assert.equal(faces.meshDistance([0, 0, 10, 10], [3, 4, 10, 10]), Math.sqrt(25 / 2));
});

/** A textured synthetic "crop": smooth blobs whose layout depends on `seed`. */
async function blobCrop(file: string, seed: number): Promise<void> {
  const data = Buffer.alloc(256 * 256 * 3);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const v = 128 + 60 * Math.sin((x * (1 + seed)) / 23 + seed) * Math.cos((y * (2 + seed)) / 31 - seed) + 40 * Math.sin((x + y) / (9 + seed));
      data.fill(Math.max(0, Math.min(255, Math.round(v))), (y * 256 + x) * 3, (y * 256 + x) * 3 + 3);
    }
  }
  fs.writeFileSync(file, await sharp(data, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 94 }).toBuffer());
}

test('markNearDuplicates() marks a re-encoded or resized crop as a duplicate of the better face, keeps a different one, and caches the signatures', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-dedupe-'));
  try {
    await blobCrop(path.join(dir, 'a.jpg'), 1);
    await blobCrop(path.join(dir, 'b.jpg'), 2);
    // a JPEG at quality 30 of the same pixels
    fs.writeFileSync(path.join(dir, 'a-q30.jpg'), await sharp(path.join(dir, 'a.jpg')).jpeg({ quality: 30 }).toBuffer());
    const mesh = faces.encodeMesh(new Float32Array(936).map((_, i) => 50 + (i % 150)));
    const verdict = (id: string, quality: number): faces.Verdict => ({
      photo: { key: `${id}|1`, id, path: id, status: 'ok', info: {}, notes: [], faces: [], detected: 1, ms: 0 },
      item: { id, path: id },
      face: { index: 0, crop: id, mesh } as unknown as faces.FaceMeasures,
      step: null,
      reason: null,
      quality,
    });
    const vs = [verdict('a-q30.jpg', 0.5), verdict('a.jpg', 0.9), verdict('b.jpg', 0.7)];
    const cacheFile = path.join(dir, 'signatures.jsonl');
    const r = await faces.markNearDuplicates(vs, { crops: dir, cacheFile });
    assert.deepEqual(vs.map((v) => v.step), ['near duplicate', null, null]);
    assert.match(vs[0].reason ?? '', /^duplicate of a\.jpg \(near duplicate: hash \d+ bits, landmarks 0\.00 px, correlation (0\.9\d\d|1\.000)\)$/);
    assert.deepEqual([r.checked, r.marked, r.computed], [3, 1, 3]);
    const again = vs.map((v) => ({ ...v, step: null, reason: null }));
    const r2 = await faces.markNearDuplicates(again, { crops: dir, cacheFile });
    assert.deepEqual([r2.marked, r2.computed], [1, 0]);
    // a face whose landmarks are far apart is not a duplicate, even with the same pixels
    const moved = faces.encodeMesh(new Float32Array(936).map((_, i) => 60 + (i % 150)));
    const third = [verdict('a-q30.jpg', 0.5), verdict('a.jpg', 0.9)];
    third[0].face = { ...third[0].face!, mesh: moved };
    await faces.markNearDuplicates(third, { crops: dir, cacheFile });
    assert.deepEqual(third.map((v) => v.step), [null, null]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prepareFaces() keeps one of a photo saved as JPEG, PNG, resized to 50% and cropped by 3%, and another photo of the same person', { timeout: 300_000 }, async (t) => {
  const celeba = path.join(sharedDir(), 'data', 'celeba', 'images');
  // CelebA identity 9084: two photos that are alike (hash 28 bits and meshes 2.5 px apart), told
  // apart by the gradient correlation only
  const [photo, other] = ['000990.jpg', '004188.jpg'].map((f) => path.join(celeba, f));
  if (!fs.existsSync(photo) || !fs.existsSync(other)) {
    t.skip(`needs CelebA (looked for ${photo}; set FACETYPE_SHARED to the shared folder)`);
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-dedupe-prep-'));
  try {
    const dir = path.join(root, 'photos');
    fs.mkdirSync(dir);
    const buf = fs.readFileSync(photo);
    const { width = 0, height = 0 } = await sharp(buf).metadata();
    fs.copyFileSync(photo, path.join(dir, 'face.jpg'));
    await sharp(buf).png().toFile(path.join(dir, 'face.png'));
    await sharp(buf).resize(Math.round(width / 2), Math.round(height / 2)).jpeg({ quality: 90 }).toFile(path.join(dir, 'face-half.jpg'));
    const dx = Math.round(0.03 * width);
    const dy = Math.round(0.03 * height);
    await sharp(buf).extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy }).jpeg({ quality: 90 }).toFile(path.join(dir, 'face-crop3.jpg'));
    fs.copyFileSync(other, path.join(dir, 'other.jpg'));
    const r = await stages.prepareFaces({ source: dir, keep: 10, dataDir: path.join(root, 'data'), workers: 1, onProgress: false });
    const step = new Map(r.verdicts.map((v) => [v.item.id, v]));
    const variants = ['face.jpg', 'face.png', 'face-half.jpg', 'face-crop3.jpg'];
    for (const id of variants) assert.ok(step.get(id)?.face, `${id}: ${step.get(id)?.reason}`);
    const keptIds = r.kept.map((v) => v.item.id).sort();
    assert.equal(keptIds.length, 2, `kept ${keptIds.join(', ')}; ${r.verdicts.map((v) => `${v.item.id}: ${v.reason}`).join('; ')}`);
    assert.ok(keptIds.includes('other.jpg'), `the other photo of the person was not kept: ${step.get('other.jpg')?.reason}`);
    const keptVariant = keptIds.find((id) => id !== 'other.jpg')!;
    for (const id of variants.filter((x) => x !== keptVariant)) {
      const v = step.get(id)!;
      assert.equal(v.step, 'near duplicate', `${id}: ${v.reason}`);
      assert.match(v.reason ?? '', new RegExp(`^duplicate of ${keptVariant.replace('.', '\\.')} \\(near duplicate: `));
    }
    // the manifest and the funnel say so
    const rows = faces.readManifest(r.paths.manifestCsv);
    assert.equal(rows.filter((m) => m.step === 'near duplicate' && m.reason.startsWith(`duplicate of ${keptVariant}`)).length, 3);
    assert.equal(r.funnel.find((f) => f.step === 'near duplicate')?.removed, 3);
    assert.deepEqual([r.nearDuplicates?.checked, r.nearDuplicates?.marked], [5, 3]);
    console.log(`# kept ${keptIds.join(' and ')}; ${variants.filter((x) => x !== keptVariant).map((id) => `${id}: ${step.get(id)!.reason}`).join('; ')}; other.jpg kept`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

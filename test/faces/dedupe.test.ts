import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces } from 'facetype';

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

const RUN = '/work/celeba-run/data/processed';
const ATTR = path.join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'celeba', 'attributes.csv');

test('dHash thresholds on CelebA crops: re-encodings and resizes of a photo are near duplicates, other photos of the person are not', { timeout: 300_000 }, async (t) => {
  if (!fs.existsSync(path.join(RUN, 'faces.json')) || !fs.existsSync(ATTR)) {
    t.skip('needs the CelebA run (/work/celeba-run) and ../shared/data/celeba');
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

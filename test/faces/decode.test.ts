import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces } from 'facetype';

let dir = '';
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-decode-')); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function write(name: string, make: () => Promise<Buffer> | Buffer): Promise<string> {
  const p = path.join(dir, name);
  fs.writeFileSync(p, await make());
  return p;
}

test('decodePhoto() gives 8-bit RGB for a normal JPEG', async () => {
  const p = await write('ok.jpg', () => sharp({ create: { width: 64, height: 48, channels: 3, background: '#8040c0' } }).jpeg().toBuffer());
  const d = await faces.decodePhoto(p);
  assert.ok(d.ok);
  if (d.ok) {
    assert.equal(d.image.channels, 3);
    assert.equal(d.image.width, 64);
    assert.deepEqual(d.notes, []);
  }
});

test('decodePhoto() normalises alpha, grayscale and 16-bit PNGs and says so', async () => {
  const alpha = await write('alpha.png', () => sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } }).png().toBuffer());
  const a = await faces.decodePhoto(alpha);
  assert.ok(a.ok && a.notes.includes('alpha flattened on grey'));
  if (a.ok) assert.deepEqual(Array.from(a.image.data.subarray(0, 3)), [128, 128, 128]);
  const gray = await write('gray.png', () => sharp({ create: { width: 40, height: 40, channels: 3, background: '#777' } }).toColourspace('b-w').png().toBuffer());
  const g = await faces.decodePhoto(gray);
  assert.ok(g.ok && g.notes.includes('grayscale expanded to RGB') && g.image.data.length === 40 * 40 * 3);
  const deep = await write('deep.png', () => sharp({ create: { width: 40, height: 40, channels: 3, background: '#336699' } }).toColourspace('rgb16').png().toBuffer());
  const h = await faces.decodePhoto(deep);
  assert.ok(h.ok && h.notes.includes('16-bit reduced to 8-bit'), JSON.stringify(h.ok ? h.notes : h.reason));
});

test('decodePhoto() applies EXIF orientation (width and height swap for 6)', async () => {
  const p = await write('rot.jpg', () => sharp({ create: { width: 80, height: 40, channels: 3, background: '#000' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer());
  const d = await faces.decodePhoto(p);
  assert.ok(d.ok);
  if (d.ok) {
    assert.equal(d.image.width, 40);
    assert.equal(d.image.height, 80);
    assert.ok(d.notes.includes('EXIF orientation 6 applied'));
  }
});

test('decodePhoto() gives a specific reason for each bad file instead of throwing', async () => {
  const cases: [string, () => Buffer | Promise<Buffer>, RegExp][] = [
    ['empty.jpg', () => Buffer.alloc(0), /^empty file \(0 bytes\)$/],
    ['text.jpg', () => Buffer.from('hello, not a photo'), /^not an image/],
    ['tiny.png', () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer(), /^too small \(1x1 px; minimum side 32 px\)$/],
    ['truncated.jpg', async () => (await sharp({ create: { width: 200, height: 200, channels: 3, background: '#123456' }, }).jpeg().toBuffer()).subarray(0, 300), /^(truncated or corrupt image|cannot decode image)/],
  ];
  for (const [name, make, re] of cases) {
    const d = await faces.decodePhoto(await write(name, make));
    assert.equal(d.ok, false, name);
    if (!d.ok) assert.match(d.reason, re, `${name}: ${d.reason}`);
  }
  const missing = await faces.decodePhoto(path.join(dir, 'nope.jpg'));
  assert.ok(!missing.ok && /ENOENT/.test(missing.reason));
  const folder = path.join(dir, 'folder.jpg');
  fs.mkdirSync(folder);
  const f = await faces.decodePhoto(folder);
  assert.ok(!f.ok && f.reason === 'not a file (a directory)');
});

test('decodePhoto() refuses a huge photo before decoding it', async () => {
  const p = await write('huge.png', () => sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer());
  const d = await faces.decodePhoto(p);
  assert.ok(!d.ok && /^too large \(12000x12000 px = 144 MP; limit 100 MP\)$/.test(d.reason), d.ok ? '' : d.reason);
});

test('decodeErrorReason() keeps the decoder\'s own words and drops lines another loader left in libvips\'s shared error buffer', () => {
  const mixed = 'vipspng: libpng read error\nVipsJpeg: premature end of JPEG image\nWarning treated as error due to failOn setting';
  assert.equal(faces.decodeErrorReason(mixed, 'jpeg'), 'truncated or corrupt image (VipsJpeg: premature end of JPEG image)');
  assert.equal(faces.decodeErrorReason(mixed, 'png'), 'truncated or corrupt image (vipspng: libpng read error)');
  assert.equal(faces.decodeErrorReason('Input buffer has corrupt header: webp: unable to parse image', 'webp'), 'truncated or corrupt image (Input buffer has corrupt header: webp: unable to parse image)');
  assert.equal(faces.sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
  assert.equal(faces.sniffFormat(Buffer.from('GIF89a')), 'gif');
  assert.equal(faces.sniffFormat(Buffer.from('hello')), null);
});

test('decodePhoto() gives every truncated file its own decoder message when many decode at once', async () => {
  const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#a63' } }).jpeg().toBuffer();
  const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#a63' } }).png().toBuffer();
  const files = await Promise.all(Array.from({ length: 12 }, (_, i) => write(`cut-${i}.${i % 2 ? 'png' : 'jpg'}`, async () => (i % 2 ? png : jpeg).subarray(0, ((i % 2 ? png : jpeg).length * 2) >> 2))));
  const reasons = await Promise.all(files.map(async (f) => {
    const d = await faces.decodePhoto(f);
    return d.ok ? 'decoded' : d.reason;
  }));
  reasons.forEach((r, i) => {
    if (i % 2) assert.doesNotMatch(r, /jpeg/i, `cut-${i}.png: ${r}`);
    else assert.doesNotMatch(r, /png/i, `cut-${i}.jpg: ${r}`);
    assert.doesNotMatch(r, /^cannot decode image \(Warning treated as error/, r);
  });
});

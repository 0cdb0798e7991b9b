import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { faces, sources } from 'facetype';
import { makeBadInputFolder } from '../support/bad-inputs';

test('makeBadInputFolder() writes every nasty case, and folderSource() lists them without crashing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-'));
  try {
    const cases = await makeBadInputFolder(dir, { special: true });
    const ids = cases.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of cases) assert.ok(c.description.length > 5, c.id);

    const meta = async (id: string): Promise<Metadata> => sharp(path.join(dir, id), { pages: -1 }).metadata();
    assert.equal(fs.statSync(path.join(dir, 'empty.jpg')).size, 0);
    assert.equal((await meta('tiny-1x1.png')).width, 1);
    const huge = await meta('huge-12000x12000.png');
    assert.deepEqual([huge.width, huge.height], [12000, 12000]);
    assert.ok(fs.statSync(path.join(dir, 'huge-12000x12000.png')).size < 2_000_000);
    assert.equal((await meta('animated.gif')).pages, 4);
    assert.equal((await meta('alpha.png')).hasAlpha, true);
    assert.equal((await meta('sixteen-bit.png')).depth, 'ushort');
    assert.equal((await meta('cmyk.jpg')).space, 'cmyk');
    assert.equal((await meta('grayscale.jpg')).channels, 1);
    const rotated = await meta('exif-rotated.jpg');
    assert.equal(rotated.orientation, 6);
    assert.deepEqual([rotated.width, rotated.height], [440, 400]); // stored on its side; 400x440 upright
    assert.ok(fs.statSync(path.join(dir, 'folder.jpg')).isDirectory());
    assert.equal(fs.lstatSync(path.join(dir, 'broken-link.jpg')).isSymbolicLink(), true);
    await assert.rejects(sharp(path.join(dir, 'text-named.jpg')).metadata());

    const items = await sources.folderSource(dir).list();
    assert.deepEqual(items.map((i) => i.id), cases.filter((c) => c.listed).map((c) => c.id));
    const rejected = Object.fromEntries(items.filter((i) => i.preReject).map((i) => [i.id, i.preReject]));
    assert.equal(rejected['broken-link.jpg'], 'broken symlink (target missing)');
    assert.equal(rejected['notes.txt'], 'not an image file (.txt)');
    assert.ok(cases.filter((c) => c.expect === 'face').length >= 8);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every bad input gets its expected reason, from the listing or the decoder, and every face decodes', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-'));
  try {
    const cases = await makeBadInputFolder(dir, { special: true });
    assert.ok(cases.length >= 25, `only ${cases.length} kinds of input`);
    const items = new Map((await sources.folderSource(dir).list()).map((i) => [i.id, i]));
    const table: string[] = [];
    for (const c of cases.filter((x) => x.listed)) {
      const item = items.get(c.id);
      assert.ok(item, `${c.id} (${c.description}) is not listed`);
      const decoded = item.preReject ? null : await faces.decodePhoto(item.path);
      const reason = item.preReject ?? (decoded && !decoded.ok ? decoded.reason : null);
      table.push(`${c.id.padEnd(28)} ${reason ?? 'decoded'}`);
      if (c.reason) assert.match(reason ?? 'decoded', c.reason, `${c.id} (${c.description})`);
      else assert.equal(reason, null, `${c.id} (${c.description}) should decode`);
      assert.ok(!reason || !/failOn|undefined|\[object/.test(reason), `${c.id}: vague reason ${reason}`);
    }
    console.log(table.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('decodeErrorReason() keeps the decoder\'s own words and drops the generic failOn line', () => {
  assert.equal(
    faces.decodeErrorReason('VipsJpeg: premature end of JPEG image\nWarning treated as error due to failOn setting'),
    'truncated or corrupt image (VipsJpeg: premature end of JPEG image)',
  );
  assert.equal(faces.decodeErrorReason('Warning treated as error due to failOn setting'), 'cannot decode image (Warning treated as error due to failOn setting)');
  assert.equal(faces.decodeErrorReason('Input buffer has corrupt header: VipsJpeg: Bogus Huffman table definition\nVipsJpeg: Bogus Huffman table definition'),
    'truncated or corrupt image (Input buffer has corrupt header: VipsJpeg: Bogus Huffman table definition; VipsJpeg: Bogus Huffman table definition)');
  assert.equal(faces.decodeErrorReason('Input buffer contains unsupported image format'), 'not an image (unrecognised format)');
});

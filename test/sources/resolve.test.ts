import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sources } from 'facetype';

test('demoSource() lists the six face-api demo group photos', async () => {
  const source = sources.demoSource();
  assert.equal(source.kind, 'demo');
  assert.equal(source.facesPerPhoto, 'all');
  assert.equal(source.root, path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo'));
  const items = await source.list();
  assert.deepEqual(items.map((i) => i.id), ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg']);
  for (const item of items) {
    assert.equal(item.preReject, undefined);
    assert.ok(fs.statSync(item.path).size > 10000, item.path);
  }
});

test("resolveSource() maps 'wiki', 'demo' and folder paths to sources", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-'));
  try {
    const raw = path.join(dir, 'raw');
    const wiki = sources.resolveSource('wiki', { wiki: { rawDir: raw } });
    assert.equal(wiki.kind, 'wiki');
    assert.equal(wiki.root, path.join(raw, 'wiki_crop'));
    assert.equal(sources.resolveSource('demo').kind, 'demo');
    fs.mkdirSync(path.join(dir, 'photos'));
    const folder = sources.resolveSource('photos', { cwd: dir, folder: { facesPerPhoto: 'all' } });
    assert.equal(folder.kind, 'folder');
    assert.equal(folder.root, path.join(dir, 'photos'));
    assert.equal(folder.facesPerPhoto, 'all');
    assert.equal(sources.resolveSource(path.join(dir, 'photos')).root, path.join(dir, 'photos'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resolveSource() rejects anything else naming the source', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-'));
  try {
    fs.writeFileSync(path.join(dir, 'f.jpg'), 'x');
    assert.throws(
      () => sources.resolveSource('celeba', { cwd: dir }),
      { name: 'InvalidParameterError', message: `Expected 'wiki', 'demo' or the path of a folder of photos (nothing at ${path.join(dir, 'celeba')}) for source but received 'celeba' of type string` },
    );
    assert.throws(
      () => sources.resolveSource('f.jpg', { cwd: dir }),
      { message: `Expected 'wiki', 'demo' or the path of a folder of photos (${path.join(dir, 'f.jpg')} is a file) for source but received 'f.jpg' of type string` },
    );
    assert.throws(() => sources.resolveSource(''), /^InvalidParameterError: Expected 'wiki', 'demo' or the path of a folder of photos for source but received '' of type string$/);
    assert.throws(() => sources.resolveSource(3 as never), /^InvalidParameterError: Expected 'wiki', 'demo' or the path of a folder of photos for source but received 3 of type number$/);
    assert.throws(() => sources.resolveSource('demo', { demo: {} } as never), /^InvalidParameterError: Expected a known option \(wiki, folder, cwd\) for resolveSource options\.demo but received 'demo' of type string$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('summarizeSource() counts photos, pre-rejections by reason and candidates', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-'));
  try {
    // distinct contents: byte-identical files are pre-rejected as duplicates
    for (const f of ['a.jpg', 'b.png', 'c.txt', 'd.txt', 'e.csv']) fs.writeFileSync(path.join(dir, f), f);
    const source = sources.folderSource(dir);
    const summary = await sources.summarizeSource(source);
    assert.deepEqual(summary, {
      kind: 'folder',
      label: `folder ${dir}`,
      root: dir,
      photos: 5,
      preRejected: { 'not an image file (.txt)': 2, 'not an image file (.csv)': 1 },
      candidates: 2,
      facesPerPhoto: 'single',
    });
    const fromItems = await sources.summarizeSource(source, [{ id: 'x.jpg', path: '/x.jpg' }]);
    assert.equal(fromItems.photos, 1);
    await assert.rejects(sources.summarizeSource({} as never), /^InvalidParameterError: Expected a PhotoSource for source but received a value of type object$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

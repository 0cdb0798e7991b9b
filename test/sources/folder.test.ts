import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sources } from 'facetype';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'folder-'));
}

/** Writes a small file; by default its content is its path, so no two files are duplicates. */
function touch(file: string, content = file): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** Every entry under dir with its type, size and mtime (to check a listing changes nothing). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.mode} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test('folderSource().list() lists every file recursively in a stable sorted order with / ids', async () => {
  const dir = tmp();
  try {
    touch(path.join(dir, 'b.jpg'));
    touch(path.join(dir, 'a', 'z.PNG'));
    touch(path.join(dir, 'a', 'deeper', 'c.jpeg'));
    touch(path.join(dir, 'A.webp'));
    touch(path.join(dir, 'notes.txt'));
    touch(path.join(dir, 'README'));
    touch(path.join(dir, '.hidden.jpg'));
    touch(path.join(dir, '.git', 'x.jpg'));
    const source = sources.folderSource(dir);
    assert.equal(source.kind, 'folder');
    assert.equal(source.facesPerPhoto, 'single');
    assert.equal(source.root, dir);
    assert.equal(source.label, `folder ${dir}`);
    const items = await source.list();
    assert.deepEqual(items.map((i) => [i.id, i.preReject ?? null]), [
      ['.git', "hidden folder (name starts with '.'; not searched)"],
      ['.hidden.jpg', "hidden file (name starts with '.'; not read)"],
      ['A.webp', null],
      ['README', 'not an image file (no extension)'],
      ['a/deeper/c.jpeg', null],
      ['a/z.PNG', null],
      ['b.jpg', null],
      ['notes.txt', 'not an image file (.txt)'],
    ]);
    assert.equal(items[4].path, path.join(dir, 'a', 'deeper', 'c.jpeg'));
    assert.deepEqual(await source.list(), items);
    const withHidden = await sources.folderSource(dir, { includeHidden: true, facesPerPhoto: 'all' }).list();
    assert.deepEqual(withHidden.map((i) => i.id).filter((id) => id.includes('.git') || id.startsWith('.')), ['.git/x.jpg', '.hidden.jpg']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('isImageFileName() knows the image extensions in any case', () => {
  for (const ext of ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'heif', 'bmp']) {
    assert.equal(sources.isImageFileName(`x.${ext}`), true, ext);
    assert.equal(sources.isImageFileName(`x.${ext.toUpperCase()}`), true, ext);
  }
  assert.equal(sources.isImageFileName('x.txt'), false);
  assert.equal(sources.isImageFileName('jpg'), false);
  assert.equal(sources.nonImageReason('x.tar.gz'), 'not an image file (.gz)');
  assert.equal(sources.nonImageReason('x.Jpg'), null);
});

test('folderSource().list() handles odd file names', async () => {
  const dir = tmp();
  try {
    const names = [
      'Zoë Saldaña 😀.jpg', 'with space.jpg', `quote's "double".jpg`, '#1.jpg', '100%.png', 'new\nline.jpg',
      `${'l'.repeat(250)}.jpg`, 'back\\slash.jpg', 'ünïcödé/ñ.jpg', '-dash.jpg', '?.jpg', '*.jpg',
    ];
    for (const n of names) touch(path.join(dir, n));
    // A name that is not valid UTF-8 (possible on Linux): listed, with a reason instead of a failed read later.
    fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from('.jpg')]), 'x');
    const all = await sources.folderSource(dir).list();
    const bad = all.find((i) => i.id === 'bad\ufffd.jpg');
    assert.equal(bad?.preReject, 'file name is not valid UTF-8');
    const items = all.filter((i) => i !== bad);
    assert.equal(items.length, names.length);
    assert.deepEqual(items.map((i) => i.id), [...names].sort((a, b) => (a < b ? -1 : 1)));
    for (const item of items) {
      assert.equal(item.preReject, undefined, item.id);
      assert.equal(fs.readFileSync(item.path, 'utf8'), item.path, item.id);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('folderSource().list() records symlink loops, broken links and special files without crashing', async () => {
  const dir = tmp();
  const outside = tmp();
  try {
    touch(path.join(dir, 'sub', 'p.jpg'));
    touch(path.join(outside, 'o.jpg'));
    fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
    fs.symlinkSync('self.jpg', path.join(dir, 'self.jpg'));
    fs.symlinkSync('missing.jpg', path.join(dir, 'broken.jpg'));
    fs.symlinkSync(path.join(dir, 'sub', 'p.jpg'), path.join(dir, 'link.jpg'));
    fs.symlinkSync(path.join(dir, 'sub'), path.join(dir, 'again'));
    fs.symlinkSync(outside, path.join(dir, 'outside'));
    const fifo = spawnSync('mkfifo', [path.join(dir, 'pipe.jpg')]);
    const items = await sources.folderSource(dir).list();
    const got = Object.fromEntries(items.map((i) => [i.id, i.preReject ?? null]));
    const expected: Record<string, string | null> = {
      'again': 'symlink to a folder already listed',
      'broken.jpg': 'broken symlink (target missing)',
      'link.jpg': 'duplicate of sub/p.jpg', // a second name of the same photo; the real file is kept
      'outside/o.jpg': null,
      'self.jpg': 'symlink loop',
      'sub/loop': 'symlink loop (links back to an enclosing folder)',
      'sub/p.jpg': null,
    };
    if (fifo.status === 0) expected['pipe.jpg'] = 'not a regular file (fifo)';
    assert.deepEqual(got, expected);
    // The real folder is listed under its own path; the link to it is the duplicate.
    assert.equal(items.find((i) => i.id === 'link.jpg')?.path, path.join(dir, 'link.jpg'));
    const noFollow = await sources.folderSource(dir, { followSymlinks: false }).list();
    assert.equal(noFollow.find((i) => i.id === 'link.jpg')?.preReject, 'symbolic link (not followed)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

/**
 * Root reads everything, so as root the unreadable-folder cases run in a child process as the
 * unprivileged user 'nobody' (uid 65534), which must be able to load the compiled library.
 */
function nobodyCannotRun(): false | string {
  if (process.getuid?.() !== 0) return false;
  const lib = require.resolve('facetype/dist/sources');
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(lib)})`], { uid: 65534, gid: 65534, encoding: 'utf8' });
  return r.status === 0 ? false : `running as root, and user nobody cannot load ${lib} to test without root's rights`;
}

test('folderSource().list() records an unreadable subfolder and goes on', async (t) => {
  const cannot = nobodyCannotRun();
  if (cannot) {
    t.skip(cannot);
    return;
  }
  const dir = tmp();
  try {
    touch(path.join(dir, 'ok.jpg'));
    touch(path.join(dir, 'locked', 'secret.jpg'));
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    fs.chmodSync(dir, 0o755);
    let items: { id: string; preReject?: string }[];
    if (process.getuid?.() === 0) {
      // root reads everything: list as an unprivileged user in a child process
      const lib = require.resolve('facetype/dist/sources');
      const code = `require(${JSON.stringify(lib)}).folderSource(${JSON.stringify(dir)}).list().then((i) => process.stdout.write(JSON.stringify(i)))`;
      const r = spawnSync(process.execPath, ['-e', code], { uid: 65534, gid: 65534, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      items = JSON.parse(r.stdout);
    } else {
      items = await sources.folderSource(dir).list();
    }
    assert.deepEqual(items.map((i) => [i.id, i.preReject ?? null]), [
      ['locked', 'unreadable folder (EACCES)'],
      ['ok.jpg', null],
    ]);
    // The folder itself unreadable: a clear error, not a crash.
    const locked = path.join(dir, 'locked');
    const expected = `could not read folder of photos ${locked}: EACCES: permission denied, scandir '${locked}'`;
    if (process.getuid?.() === 0) {
      const lib = require.resolve('facetype/dist/sources');
      const code = `require(${JSON.stringify(lib)}).folderSource(${JSON.stringify(locked)}).list().catch((e) => process.stdout.write(e.name + ': ' + e.message))`;
      const r = spawnSync(process.execPath, ['-e', code], { uid: 65534, gid: 65534, encoding: 'utf8' });
      assert.equal(r.stdout, `DataError: ${expected}`);
    } else {
      await assert.rejects(sources.folderSource(locked).list(), { name: 'DataError', message: expected });
    }
  } finally {
    fs.chmodSync(path.join(dir, 'locked'), 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('folderSource().list() never modifies the folder', async () => {
  const dir = tmp();
  try {
    touch(path.join(dir, 'a.jpg'));
    touch(path.join(dir, 'n', 'b.txt'));
    fs.symlinkSync('nowhere', path.join(dir, 'dangling.jpg'));
    const before = snapshot(dir);
    await sources.folderSource(dir).list();
    assert.deepEqual(snapshot(dir), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('folderSource() rejects a missing folder, a file and bad options clearly', () => {
  const dir = tmp();
  try {
    const missing = path.join(dir, 'nope');
    assert.throws(() => sources.folderSource(missing), { name: 'DataError', message: `folder of photos ${missing} does not exist` });
    touch(path.join(dir, 'f.jpg'));
    assert.throws(() => sources.folderSource(path.join(dir, 'f.jpg')), { name: 'DataError', message: `${path.join(dir, 'f.jpg')} is a file, not a folder of photos` });
    assert.throws(() => sources.folderSource(''), /^InvalidParameterError: Expected path of a folder of photos for dir but received '' of type string$/);
    assert.throws(() => sources.folderSource(dir, { facesPerPhoto: 'some' as never }), /^InvalidParameterError: Expected one of 'single', 'all' for facesPerPhoto but received 'some' of type string$/);
    assert.throws(() => sources.folderSource(dir, { includeHidden: 'yes' as never }), /^InvalidParameterError: Expected boolean for includeHidden but received 'yes' of type string$/);
    assert.throws(() => sources.folderSource(dir, { followSymlinks: 1 as never }), /^InvalidParameterError: Expected boolean for followSymlinks but received 1 of type number$/);
    assert.throws(() => sources.folderSource(dir, { hidden: true } as never), /^InvalidParameterError: Expected a known option \(includeHidden, followSymlinks, facesPerPhoto, exactDuplicates\) for folderSource options\.hidden/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('folderSource().list() fails clearly when the folder disappears after creation', async () => {
  const dir = tmp();
  const source = sources.folderSource(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  await assert.rejects(source.list(), { name: 'DataError', message: `folder of photos ${dir} does not exist` });
});

test('folderSource().list() marks byte-identical copies as duplicates of the first by id, and exactDuplicates: false keeps them', async () => {
  const dir = tmp();
  try {
    touch(path.join(dir, 'b.jpg'), 'same bytes');
    touch(path.join(dir, 'a', 'copy.jpg'), 'same bytes');
    touch(path.join(dir, 'c.jpg'), 'same bytes');
    touch(path.join(dir, 'd.jpg'), 'same size!'); // same length, other bytes
    touch(path.join(dir, 'e.txt'), 'same bytes'); // not a candidate: keeps its own reason
    touch(path.join(dir, 'empty1.jpg'), '');
    touch(path.join(dir, 'empty2.jpg'), ''); // empty files: the decoder's reason, not duplicates
    const items = await sources.folderSource(dir).list();
    assert.deepEqual(items.map((i) => [i.id, i.preReject ?? null]), [
      ['a/copy.jpg', null],
      ['b.jpg', 'duplicate of a/copy.jpg'],
      ['c.jpg', 'duplicate of a/copy.jpg'],
      ['d.jpg', null],
      ['e.txt', 'not an image file (.txt)'],
      ['empty1.jpg', null],
      ['empty2.jpg', null],
    ]);
    const all = await sources.folderSource(dir, { exactDuplicates: false }).list();
    assert.equal(all.filter((i) => i.preReject).length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

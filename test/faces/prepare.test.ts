import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, projectPaths, runtime, stages } from 'facetype';
import { makeBadInputFolder, type BadInput } from '../support/bad-inputs';

let root = '';
let photos = '';
let cases: BadInput[] = [];

/** Path, size and content hash of every entry under `dir` (to prove a run never modifies it). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  (function walk(d: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) out.push(`${p} -> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else out.push(`${p} ${crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`);
    }
  })(dir);
  return out.sort();
}

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-prepare-'));
  photos = path.join(root, 'photos');
  cases = await makeBadInputFolder(photos);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('prepareFaces() on a folder of bad inputs completes, records a specific reason for each, keeps the real faces and never touches the folder', { timeout: 300_000 }, async () => {
  const before = snapshot(photos);
  const data = path.join(root, 'data');
  // the test faces come from the demo's posing group photos: the demo's pose limits apply
  const progress: runtime.Progress[] = [];
  const r = await stages.prepareFaces({ source: photos, keep: 50, dataDir: data, workers: 2, onProgress: (p) => progress.push(p), filters: faces.DEMO_FILTERS });
  assert.deepEqual(snapshot(photos), before, 'the source folder was modified');
  // an empty cache serves nothing: pre-rejected photos are neither measured nor 'cached'
  const preRejected = new Set(r.verdicts.filter((v) => v.step === 'metadata pre-filter').map((v) => v.item.id)).size;
  assert.ok(preRejected > 0, 'the bad-input folder has pre-rejected photos');
  assert.equal(r.cached, 0);
  assert.equal(r.measured, r.source.photos - preRejected);
  const last = progress[progress.length - 1];
  assert.deepEqual([last.cached, last.done, last.total], [0, r.measured, r.measured]);
  const byPhoto = new Map<string, faces.Verdict[]>();
  for (const v of r.verdicts) (byPhoto.get(v.item.id) ?? byPhoto.set(v.item.id, []).get(v.item.id)!).push(v);
  for (const c of cases.filter((x) => x.listed)) {
    const vs = byPhoto.get(c.id);
    assert.ok(vs && vs.length > 0, `${c.id} (${c.description}) is missing from the verdicts`);
    const v = vs[0];
    if (c.expect === 'skip') {
      assert.ok(v.step === 'unreadable or not an image' || v.step === 'metadata pre-filter', `${c.id}: ${v.step} ${v.reason}`);
      assert.ok(v.reason && v.reason.length > 5 && !/undefined|\[object/.test(v.reason), `${c.id}: reason '${v.reason}'`);
    } else if (c.expect === 'no-face') {
      assert.ok(v.step === 'no face found' || v.step === 'unreadable or not an image', `${c.id}: ${v.step} ${v.reason}`);
    } else if (c.expect === 'face') {
      assert.ok(v.face !== null, `${c.id} (${c.description}): no face found (${v.reason})`);
    }
  }
  // specific reasons, not a generic failure
  const reason = (id: string) => byPhoto.get(id)?.[0]?.reason ?? '';
  assert.equal(reason('empty.jpg'), 'empty file (0 bytes)');
  assert.match(reason('text-named.jpg'), /^not an image/);
  assert.match(reason('notes.txt'), /not an image file \(\.txt\)/);
  assert.match(reason('broken-link.jpg'), /unreadable|missing|broken/);
  assert.match(reason('tiny-1x1.png'), /^too small \(1x1 px/);
  assert.match(reason('huge-12000x12000.png'), /^too large \(12000x12000 px/);
  // every listed photo has a manifest row
  const manifest = faces.readManifest(r.paths.manifestCsv);
  for (const c of cases.filter((x) => x.listed)) assert.ok(manifest.some((m) => m.photo === c.id), `${c.id} not in the manifest`);
  // the EXIF-rotated face is found upright and noted
  const rotated = cases.find((c) => /EXIF/.test(c.description));
  if (rotated) {
    const rec = byPhoto.get(rotated.id)?.[0]?.photo;
    assert.ok(rec && rec.notes.some((n) => /EXIF orientation/.test(n)), JSON.stringify(rec?.notes));
  }
  const kept = fs.readdirSync(r.paths.faces);
  assert.equal(kept.length, r.kept.length);
  assert.ok(r.kept.length >= 3, `only ${r.kept.length} faces kept`);
});

test('prepareFaces() re-run measures nothing again, and a torn cache line is measured once more', { timeout: 300_000 }, async () => {
  const data = path.join(root, 'data');
  const again = await stages.prepareFaces({ source: photos, keep: 50, dataDir: data, workers: 1, onProgress: false, filters: faces.DEMO_FILTERS });
  assert.equal(again.measured, 0);
  const preRejected = new Set(again.verdicts.filter((v) => v.step === 'metadata pre-filter').map((v) => v.item.id)).size;
  assert.equal(again.cached, again.source.photos - preRejected);
  // simulate an interruption in the middle of writing the last record
  const recFile = again.paths.records;
  const lines = fs.readFileSync(recFile, 'utf8').trimEnd().split('\n');
  const last = lines[lines.length - 1];
  fs.writeFileSync(recFile, lines.slice(0, -1).join('\n') + '\n' + last.slice(0, Math.floor(last.length / 2)));
  const resumed = await stages.prepareFaces({ source: photos, keep: 50, dataDir: data, workers: 1, onProgress: false, filters: faces.DEMO_FILTERS });
  assert.equal(resumed.measured, 1);
  assert.equal(resumed.kept.length, again.kept.length);
  // the cache now holds exactly one complete record per photo again
  const records = stages.readRecords(recFile);
  assert.equal(records.size, again.verdicts.filter((v, i, all) => v.step !== 'metadata pre-filter' && all.findIndex((w) => w.item.id === v.item.id) === i).length);
});

test('prepareFaces() on the demo takes every face of the group photos', { timeout: 300_000 }, async () => {
  const r = await stages.prepareFaces({ source: 'demo', dataDir: path.join(root, 'demo-data'), onProgress: false });
  assert.equal(r.source.photos, 6);
  assert.ok(r.kept.length >= 8, `kept ${r.kept.length}`);
  const perPhoto = new Map<string, number>();
  for (const v of r.kept) perPhoto.set(v.item.id, (perPhoto.get(v.item.id) ?? 0) + 1);
  assert.ok([...perPhoto.values()].some((n) => n > 1), 'several faces of one group photo');
  const prepared = stages.loadPrepared(projectPaths(path.join(root, 'demo-data')));
  assert.equal(prepared.images.length, r.kept.length);
  assert.equal(prepared.mesh468.length, r.kept.length * 936);
  // landmarks lie in the crop, eyes where the template puts them
  const t = faces.DEFAULT_TEMPLATE;
  const [re, le] = faces.eyeCentersFrom68(prepared.landmarks68.subarray(0, 136));
  assert.ok(Math.abs(re[0] - t.rightEye[0] * t.size) < 6 && Math.abs(le[0] - t.leftEye[0] * t.size) < 6, `${re} ${le}`);
  // pose judged from the demo's median, reported; every measured face has a blur and a share outside the photo
  assert.ok(r.pose.faces >= 6 && Math.abs(r.pose.pitch) < 30, JSON.stringify(r.pose));
  const measured = r.verdicts.filter((v) => v.face);
  assert.ok(measured.every((v) => v.face!.blur !== null && v.face!.blur >= 0 && v.face!.outside >= 0 && v.face!.outside < 1));
  // kept faces say which crop pixels came from the photo
  const f = prepared.file.faces[0];
  const mask = faces.insideMask(f.transform, f.photoSize[0], f.photoSize[1], t.size);
  const share = 1 - mask.reduce((a, b) => a + b, 0) / mask.length;
  assert.ok(Math.abs(share - f.outside) < 0.02, `mask ${share} vs recorded ${f.outside}`);
  // the demo has no metadata nor attributes: an empty bias table, no warning
  assert.deepEqual(r.bias, { rows: [], warnings: [], candidates: 0, kept: 0, maxShift: 5 });
});

test('prepareFaces() rejects a source that does not exist with a clear message', async () => {
  await assert.rejects(stages.prepareFaces({ source: path.join(root, 'nope'), dataDir: path.join(root, 'x'), onProgress: false }), /Expected 'wiki', 'demo' or the path of a folder of photos \(nothing at .*nope\) for source/);
});

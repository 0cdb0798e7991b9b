/**
 * The simulated WIKI folder (scripts/simulate-wiki.ts): a tiny one built from CelebA is read by the
 * wiki source with its gender/age metadata and pre-filter, and the preparation keeps faces from it.
 * Needs ../shared/data/celeba; skips with the reason without it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { sources, stages } from 'facetype';
import { planWiki, simulateWiki, type SimulatedPhoto } from '../../scripts/simulate-wiki';
import { sharedDir } from '../support/shared-data';

const IMAGES = path.join(sharedDir(), 'data', 'celeba', 'images');
const ATTRIBUTES = path.join(sharedDir(), 'data', 'celeba', 'attributes.csv');
const skip: false | string = fs.existsSync(IMAGES) && fs.existsSync(ATTRIBUTES)
  ? false
  : `CelebA is absent (looked for ${IMAGES} and ${ATTRIBUTES}; set FACETYPE_SHARED to the shared folder)`;
if (skip) console.log(`# wikisim tests skipped: ${skip}`);

const N = 40;
let tmp = '';
let data = '';
let root = '';
let plan: SimulatedPhoto[] = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-wikisim-'));
  data = path.join(tmp, 'data');
  root = path.join(data, 'raw', 'wiki_crop');
  plan = await simulateWiki({ images: IMAGES, attributes: ATTRIBUTES, out: root, n: N, seed: 11 });
});
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the simulated WIKI folder has wiki_crop\'s shape and the wiki source reads its metadata back', { skip }, async () => {
  assert.equal(plan.length, N);
  assert.equal(new Set(plan.map((p) => p.identity)).size, N, 'one photo per CelebA identity');
  for (const p of plan) {
    assert.match(p.id, /^(\d\d)\/(\d+)_\d{4}-\d\d-\d\d_\d{4}\.jpg$/);
    const [, folder, wid] = /^(\d\d)\/(\d+)_/.exec(p.id)!;
    assert.equal(folder, String(Number(wid) % 100).padStart(2, '0'));
    assert.ok(fs.existsSync(path.join(root, ...p.id.split('/'))), `${p.id} not written`);
    assert.ok(p.young ? p.age >= 20 && p.age <= 34 : p.age >= 40 && p.age <= 70, `${p.id}: age ${p.age}, young ${p.young}`);
    if (p.gender !== null) assert.equal(p.gender, p.male ? 'male' : 'female');
  }
  // rawDir too: wikiSource({ root }) alone throws (wikiPaths needs rawDir even when root is given)
  const items = await sources.wikiSource({ root, rawDir: path.dirname(root) }).list();
  assert.equal(items.length, N);
  const byId = new Map(plan.map((p) => [p.id, p]));
  for (const item of items) {
    const p = byId.get(item.id);
    assert.ok(p, `${item.id} is not in the plan`);
    assert.equal(item.meta?.gender, p.gender);
    assert.equal(item.meta?.age, p.age, `${item.id}: the dataset's age rule gives ${item.meta?.age}, planned ${p.age}`);
    assert.equal(item.meta?.dob, p.dob);
    assert.equal(item.meta?.photoTaken, p.photoTaken);
    const expected = p.faceScore === -Infinity ? sources.WIKI_REJECT_NO_FACE : Number.isNaN(p.secondFaceScore) ? undefined : /^second face/;
    if (expected === undefined) assert.equal(item.preReject, undefined, `${item.id}: ${item.preReject}`);
    else if (typeof expected === 'string') assert.equal(item.preReject, expected);
    else assert.match(item.preReject ?? '', expected);
  }
  assert.ok(plan.some((p) => p.faceScore === -Infinity) && plan.some((p) => !Number.isNaN(p.secondFaceScore)), 'the pre-filter has rows to act on');
  // JPEG photos of the planned sizes, one channel for the grayscale ones
  for (const p of plan) {
    const m = await sharp(path.join(root, ...p.id.split('/'))).metadata();
    assert.equal(m.format, 'jpeg');
    assert.deepEqual([m.width, m.height], [p.width, p.height], p.id);
    assert.equal(Math.max(m.width ?? 0, m.height ?? 0), p.longSide, p.id);
    assert.equal(m.channels, p.look === 'grayscale' ? 1 : 3, p.id);
  }
});

test('simulateWiki is reproducible: the same seed gives the same plan and the same bytes', { skip }, async () => {
  assert.deepEqual(planWiki(ATTRIBUTES, IMAGES, N, 11), plan);
  const again = path.join(tmp, 'again');
  const small = await simulateWiki({ images: IMAGES, attributes: ATTRIBUTES, out: again, n: 6, seed: 11 });
  const hash = (f: string): string => crypto.createHash('sha1').update(fs.readFileSync(f)).digest('hex');
  const twice = path.join(tmp, 'twice');
  await simulateWiki({ images: IMAGES, attributes: ATTRIBUTES, out: twice, n: 6, seed: 11 });
  for (const p of small) assert.equal(hash(path.join(twice, ...p.id.split('/'))), hash(path.join(again, ...p.id.split('/'))), p.id);
  assert.equal(hash(path.join(twice, 'wiki.mat')), hash(path.join(again, 'wiki.mat')));
});

test('the preparation on the simulated WIKI (source wiki, as npm start --source wiki --data does) keeps faces with their metadata', { skip, timeout: 120_000 }, async () => {
  const r = await stages.prepareFaces({ source: 'wiki', dataDir: data, keep: N / 2, workers: 2, onProgress: false });
  assert.equal(r.source.kind, 'wiki');
  assert.equal(r.source.photos, N);
  const flagged = plan.filter((p) => p.faceScore === -Infinity || !Number.isNaN(p.secondFaceScore)).length;
  assert.equal(r.funnel.find((f) => f.step === 'metadata pre-filter')?.removed, flagged);
  // CelebA faces, most of them usable even after the simulated degradations
  assert.ok(r.kept.length >= N / 4, `only ${r.kept.length} of ${N} kept: ${JSON.stringify(r.funnel.filter((f) => f.removed > 0))}`);
  const byId = new Map(plan.map((p) => [p.id, p]));
  const keptFile = JSON.parse(fs.readFileSync(r.paths.facesJson, 'utf8')) as stages.FacesFile;
  assert.equal(keptFile.faces.length, r.kept.length);
  for (const f of keptFile.faces) {
    const p = byId.get(f.photo);
    assert.ok(p, `kept ${f.photo} is not a simulated photo`);
    assert.ok(p.faceScore > -Infinity && Number.isNaN(p.secondFaceScore), `${f.photo} should have been pre-filtered`);
    assert.equal(f.meta?.age, p.age);
    assert.equal(f.meta?.gender, p.gender);
  }
  // the selection-bias table is on the metadata's gender and age at photo
  const traits = new Set(r.bias.rows.map((b) => b.trait));
  assert.ok(traits.has('gender') && traits.has('age at photo'), [...traits].join(', '));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sources } from 'facetype';
import { WIKI_MAT, wikiMatMissing } from '../support/shared-data';
import { writeWikiMat, writeMat, datenum, num, str, cell, struct, type WikiFixtureRow } from '../support/mat-writer';


function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wiki-'));
}

const ROWS: WikiFixtureRow[] = [
  { fullPath: '17/10000217_1981-05-05_2009.jpg', name: 'Sami Jauhojärvi', dob: 723671, photoTaken: 2009, gender: 1, faceLocation: [111.3, 111.3, 252.7, 252.7], faceScore: 4.3, secondFaceScore: NaN },
  { fullPath: '48/10000548_1925-04-04_1964.jpg', name: 'Dettmar Cramer', dob: datenum(1925, 4, 4), photoTaken: 1964, gender: 1, faceLocation: [252, 126, 354, 228], faceScore: 2.6, secondFaceScore: 1.9 },
  { fullPath: '65/10001965_1930-05-23_1961.jpg', name: 'Aleksandar Matanović', dob: datenum(1930, 5, 23), photoTaken: 1961, gender: 0, faceLocation: [1, 1, 634, 440], faceScore: -Infinity, secondFaceScore: NaN },
  { fullPath: '13/30065213_1992-03-02_2012.jpg', name: '', dob: datenum(1992, 3, 2), photoTaken: 2012, gender: NaN, faceLocation: [204, 21, 267, 84], faceScore: 0.8, secondFaceScore: NaN },
  // photo "taken" before birth, and an impossible dob
  { fullPath: '01/1_2000-01-01_1990.jpg', name: 'Early', dob: datenum(2000, 1, 1), photoTaken: 1990, gender: 0, faceLocation: [1, 2, 3, 4], faceScore: 1.5, secondFaceScore: NaN },
  { fullPath: '02/2_0000-00-00_2010.jpg', name: 'Nobody', dob: NaN, photoTaken: 2010, gender: 1, faceLocation: [1, 2, 3, 4], faceScore: 1.5, secondFaceScore: NaN },
];

test('matlabDateToIso() converts MATLAB serial dates (719529 is 1970-01-01)', () => {
  assert.equal(sources.matlabDateToIso(719529), '1970-01-01');
  assert.equal(sources.matlabDateToIso(723671), '1981-05-05');
  assert.equal(sources.matlabDateToIso(719529 + 0.75), '1970-01-01');
  assert.equal(sources.matlabDateToIso(367), '0001-01-01');
  assert.equal(sources.matlabDateToIso(NaN), null);
  assert.equal(sources.matlabDateToIso(Infinity), null);
  assert.equal(sources.matlabDateToIso(1), null); // year 0
  assert.equal(sources.matlabDatenum(1981, 5, 5), 723671);
  assert.equal(sources.matlabDatenum(1970, 1, 1), 719529);
});

test('wikiAge() counts whole years to 1 July of the photo year, clamps and flags impossible ages', () => {
  assert.deepEqual(sources.wikiAge(sources.matlabDatenum(1981, 5, 5), 2009), { age: 28, ageFlagged: false });
  assert.deepEqual(sources.wikiAge(sources.matlabDatenum(1981, 7, 2), 2009), { age: 27, ageFlagged: false });
  assert.deepEqual(sources.wikiAge(sources.matlabDatenum(2009, 1, 1), 2009), { age: 0, ageFlagged: false });
  assert.deepEqual(sources.wikiAge(sources.matlabDatenum(2000, 1, 1), 1990), { age: 0, ageFlagged: true });
  assert.deepEqual(sources.wikiAge(sources.matlabDatenum(1800, 1, 1), 2010), { age: 100, ageFlagged: true });
  assert.deepEqual(sources.wikiAge(NaN, 2010), { age: null, ageFlagged: false });
  assert.deepEqual(sources.wikiAge(723671, NaN), { age: null, ageFlagged: false });
});

test('readWikiMetadata() turns wiki.mat rows into typed rows', () => {
  const dir = tmp();
  try {
    const mat = path.join(dir, 'wiki.mat');
    fs.writeFileSync(mat, writeWikiMat(ROWS));
    const rows = sources.readWikiMetadata(mat);
    assert.equal(rows.length, 6);
    assert.deepEqual(rows[0], {
      id: '17/10000217_1981-05-05_2009.jpg',
      path: path.join(dir, '17', '10000217_1981-05-05_2009.jpg'),
      name: 'Sami Jauhojärvi',
      gender: 'male',
      dob: '1981-05-05',
      photoTaken: 2009,
      age: 28,
      ageFlagged: false,
      faceScore: 4.3,
      secondFaceScore: null,
      faceLocation: [111.3, 111.3, 252.7, 252.7],
    });
    assert.equal(rows[1].secondFaceScore, 1.9);
    assert.equal(rows[2].gender, 'female');
    assert.equal(rows[2].faceScore, -Infinity);
    assert.equal(rows[3].name, null);
    assert.equal(rows[3].gender, null);
    assert.deepEqual([rows[4].age, rows[4].ageFlagged], [0, true]);
    assert.deepEqual([rows[5].dob, rows[5].age, rows[5].ageFlagged], [null, null, false]);
    const other = sources.readWikiMetadata(mat, { imagesRoot: '/photos' });
    assert.equal(other[0].path, path.join('/photos', '17', '10000217_1981-05-05_2009.jpg'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readWikiMetadata() names a missing struct, a missing field and fields of different lengths', () => {
  const dir = tmp();
  try {
    const a = path.join(dir, 'a.mat');
    fs.writeFileSync(a, writeMat({ p: num([1]), q: num([2]) }));
    assert.throws(() => sources.readWikiMetadata(a), new RegExp(`^DataError: ${a}: no 'wiki' struct \\(variables: p, q\\)$`));
    assert.throws(() => sources.readWikiMetadata(a, { variable: 'imdb' }), new RegExp(`^DataError: ${a}: no variable 'imdb' \\(variables: p, q\\)$`));
    const b = path.join(dir, 'b.mat');
    fs.writeFileSync(b, writeMat({ wiki: struct({ dob: num([1]) }) }));
    assert.throws(() => sources.readWikiMetadata(b), new RegExp(`^DataError: ${b}: wiki: no field 'photo_taken' \\(fields: dob\\)$`));
    const rows = ROWS.slice(0, 2);
    // imdb-named struct is found too
    const d = path.join(dir, 'd.mat');
    fs.writeFileSync(d, writeWikiMat(rows, { compress: false }, 'imdb'));
    assert.equal(sources.readWikiMetadata(d).length, 2);
    const e = path.join(dir, 'e.mat');
    const mismatched = struct({
      dob: num([1, 2]), photo_taken: num([1]), full_path: num([]), gender: num([]), name: num([]),
      face_location: num([]), face_score: num([]), second_face_score: num([]),
    });
    fs.writeFileSync(e, writeMat({ wiki: mismatched }));
    assert.throws(() => sources.readWikiMetadata(e), /^DataError: wiki\.full_path: expected a cell array of strings but found a double array 1x0$/);
    assert.throws(() => sources.readWikiMetadata(''), /^InvalidParameterError: Expected path of wiki\.mat for matPath but received '' of type string$/);
    assert.throws(() => sources.readWikiMetadata(a, { imageRoot: '/x' } as never), /Expected a known option \(imagesRoot, variable\) for readWikiMetadata options\.imageRoot/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readWikiMetadata() reports fields whose lengths differ', () => {
  const dir = tmp();
  try {
    const f = path.join(dir, 'f.mat');
    const wiki = struct({
      dob: num([723671, 723672]), photo_taken: num([2009]),
      full_path: cell([str('a.jpg'), str('b.jpg')]), gender: num([1, 1]), name: cell([str('a'), str('b')]),
      face_location: cell([num([1, 2, 3, 4]), num([1, 2, 3, 4])]),
      face_score: num([1, 2]), second_face_score: num([NaN, NaN]),
    });
    fs.writeFileSync(f, writeMat({ wiki }));
    assert.throws(() => sources.readWikiMetadata(f), new RegExp(`^DataError: ${f}: wiki\\.photo_taken has 1 entries but wiki\\.dob has 2$`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prefilterWiki() rejects no face, weak face and second face, and counts reasons', () => {
  const dir = tmp();
  try {
    const mat = path.join(dir, 'wiki.mat');
    fs.writeFileSync(mat, writeWikiMat(ROWS));
    const rows = sources.readWikiMetadata(mat);
    const r = sources.prefilterWiki(rows);
    assert.deepEqual(r.reasons, [null, 'second face (dataset second_face_score present)', 'no face (dataset face_score -inf)', null, null, null]);
    assert.deepEqual(r.counts, { 'second face (dataset second_face_score present)': 1, 'no face (dataset face_score -inf)': 1 });
    assert.equal(r.kept, 4);
    assert.equal(r.total, 6);
    const strict = sources.prefilterWiki(rows, { minFaceScore: 1, secondFaceMinScore: 2 });
    assert.deepEqual(strict.reasons, [null, null, 'no face (dataset face_score -inf)', 'weak face (dataset face_score < 1)', null, null]);
    const lax = sources.prefilterWiki(rows, { rejectNoFace: false, rejectSecondFace: false });
    assert.equal(lax.kept, 6);
    assert.equal(sources.wikiPreReject(rows[2]), 'no face (dataset face_score -inf)');
    assert.equal(sources.wikiPreReject(rows[1], { secondFaceMinScore: 1.5 }), 'second face (dataset second_face_score >= 1.5)');
    assert.throws(() => sources.prefilterWiki(rows, { minFaceScore: NaN }), /^InvalidParameterError: Expected number for minFaceScore but received NaN of type number$/);
    assert.throws(() => sources.prefilterWiki(rows, { secondFaceMinScore: 'x' as never }), /^InvalidParameterError: Expected number for secondFaceMinScore but received 'x' of type string$/);
    assert.throws(() => sources.prefilterWiki(rows, { rejectNoFace: 1 as never }), /^InvalidParameterError: Expected boolean for rejectNoFace but received 1 of type number$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('wikiSource().list() marks photos missing on disk and applies the pre-filter', async () => {
  const dir = tmp();
  try {
    const root = path.join(dir, 'raw', 'wiki_crop');
    fs.mkdirSync(path.join(root, '17'), { recursive: true });
    fs.mkdirSync(path.join(root, '65'), { recursive: true });
    fs.writeFileSync(path.join(root, 'wiki.mat'), writeWikiMat(ROWS));
    fs.writeFileSync(path.join(root, '17', '10000217_1981-05-05_2009.jpg'), 'x');
    fs.writeFileSync(path.join(root, '65', '10001965_1930-05-23_1961.jpg'), 'x');
    const source = sources.wikiSource({ rawDir: path.join(dir, 'raw') });
    assert.equal(source.kind, 'wiki');
    assert.equal(source.facesPerPhoto, 'single');
    assert.equal(source.root, root);
    const items = await source.list();
    assert.deepEqual(items.map((i) => i.id), [
      '01/1_2000-01-01_1990.jpg', '02/2_0000-00-00_2010.jpg', '13/30065213_1992-03-02_2012.jpg',
      '17/10000217_1981-05-05_2009.jpg', '48/10000548_1925-04-04_1964.jpg', '65/10001965_1930-05-23_1961.jpg',
    ]);
    assert.deepEqual(items.map((i) => i.preReject ?? null), [
      'file missing', 'file missing', 'file missing', null, 'file missing', 'no face (dataset face_score -inf)',
    ]);
    assert.equal(items[3].path, path.join(root, '17', '10000217_1981-05-05_2009.jpg'));
    assert.deepEqual(items[3].meta, {
      name: 'Sami Jauhojärvi', gender: 'male', dob: '1981-05-05', photoTaken: 2009, age: 28, ageFlagged: false,
      faceScore: 4.3, secondFaceScore: null, faceLocation: [111.3, 111.3, 252.7, 252.7],
    });
    const summary = await sources.summarizeSource(source, items);
    assert.deepEqual(summary.preRejected, { 'file missing': 4, 'no face (dataset face_score -inf)': 1 });
    assert.equal(summary.candidates, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('wikiSource({ root }) reads a folder without rawDir; without either it names rawDir', async () => {
  const dir = tmp();
  try {
    fs.mkdirSync(path.join(dir, '17'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'wiki.mat'), writeWikiMat(ROWS));
    fs.writeFileSync(path.join(dir, '17', '10000217_1981-05-05_2009.jpg'), 'x');
    const source = sources.wikiSource({ root: dir });
    assert.equal(source.root, dir);
    const items = await source.list();
    assert.equal(items.length, ROWS.length);
    const present = items.filter((i) => !i.preReject);
    assert.deepEqual(present.map((i) => i.path), [path.join(dir, '17', '10000217_1981-05-05_2009.jpg')]);
    assert.throws(() => sources.wikiSource({}), /^InvalidParameterError: .*rawDir/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('wikiSource().list() says how to get the data when wiki.mat is absent', async () => {
  const dir = tmp();
  try {
    const source = sources.wikiSource({ rawDir: dir });
    const mat = path.join(dir, 'wiki_crop', 'wiki.mat');
    await assert.rejects(source.list(), (e: Error) => {
      assert.equal(e.name, 'DataError');
      assert.equal(e.message, `WIKI metadata ${mat} not found: run sources.ensureWikiDownloaded() first (it downloads and extracts wiki_crop.tar), or use FACETYPE_SOURCE=<folder>`);
      return true;
    });
    assert.throws(() => sources.wikiSource({ minScore: 1 } as never), /^InvalidParameterError: Expected a known option \(.*\) for wikiSource options\.minScore but received 'minScore' of type string$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readWikiMetadata() on the real wiki.mat gives the known counts and rows', { skip: wikiMatMissing }, async () => {
  const t0 = performance.now();
  const rows = sources.readWikiMetadata(WIKI_MAT);
  console.log(`# wiki.mat read into rows in ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(rows.length, 62328);
  assert.equal(rows.filter((r) => r.gender === 'male').length, 47063);
  assert.equal(rows.filter((r) => r.gender === 'female').length, 12622);
  assert.equal(rows.filter((r) => r.gender === null).length, 2643);
  assert.equal(new Set(rows.map((r) => r.id)).size, 62328);
  assert.deepEqual(
    { id: rows[0].id, name: rows[0].name, gender: rows[0].gender, dob: rows[0].dob, photoTaken: rows[0].photoTaken, age: rows[0].age, second: rows[0].secondFaceScore },
    { id: '17/10000217_1981-05-05_2009.jpg', name: 'Sami Jauhojärvi', gender: 'male', dob: '1981-05-05', photoTaken: 2009, age: 28, second: null },
  );
  assert.equal(rows[3].faceScore, -Infinity);
  assert.deepEqual(rows[3].faceLocation, [1, 1, 634, 440]);
  assert.equal(rows[418].name, null);
  // The date of birth agrees with the one in the file name for nearly every row.
  const agree = rows.filter((r) => r.dob !== null && r.id.includes(`_${r.dob}_`)).length;
  assert.ok(agree > 0.95 * rows.length, `${agree} rows agree`);
  const pre = sources.prefilterWiki(rows);
  assert.equal(pre.counts['no face (dataset face_score -inf)'], 18016);
  assert.equal(pre.counts['second face (dataset second_face_score present)'], 4096);
  assert.equal(pre.kept, 62328 - 18016 - 4096);
});

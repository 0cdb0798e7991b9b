/**
 * The whole WIKI path offline: a small wiki_crop.tar (the real wiki.mat when present, else a
 * synthetic one, plus a few JPEGs at paths it lists) served from 127.0.0.1, a first transfer cut
 * mid-way, the resume, the extraction and the listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns = require('node:dns');
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tar from 'tar';
import { sources } from 'facetype';
import { startRangeServer, closedPort } from '../support/range-server';
import { WIKI_MAT, wikiMatMissing } from '../support/shared-data';
import { writeWikiMat, datenum, type WikiFixtureRow } from '../support/mat-writer';

const REAL = !wikiMatMissing;

const SYNTHETIC: WikiFixtureRow[] = [
  { fullPath: '17/10000217_1981-05-05_2009.jpg', name: 'Sami Jauhojärvi', dob: 723671, photoTaken: 2009, gender: 1, faceLocation: [111, 111, 252, 252], faceScore: 4.3, secondFaceScore: NaN },
  { fullPath: '48/10000548_1925-04-04_1964.jpg', name: 'Dettmar Cramer', dob: datenum(1925, 4, 4), photoTaken: 1964, gender: 1, faceLocation: [252, 126, 354, 228], faceScore: 2.6, secondFaceScore: 1.9 },
  { fullPath: '12/100012_1948-07-03_2008.jpg', name: 'Marc Okrand', dob: datenum(1948, 7, 3), photoTaken: 2008, gender: 1, faceLocation: [113, 169, 366, 422], faceScore: 4.3, secondFaceScore: NaN },
  { fullPath: '65/10001965_1930-05-23_1961.jpg', name: 'Aleksandar Matanović', dob: datenum(1930, 5, 23), photoTaken: 1961, gender: 1, faceLocation: [1, 1, 634, 440], faceScore: -Infinity, secondFaceScore: NaN },
  { fullPath: '16/10002116_1971-05-31_2012.jpg', name: 'Diana Damrau', dob: datenum(1971, 5, 31), photoTaken: 2012, gender: 0, faceLocation: [1, 2, 3, 4], faceScore: 3.4, secondFaceScore: NaN },
];
/** The photos put in the archive (the first four rows of both the real and the synthetic file). */
const PHOTOS = SYNTHETIC.slice(0, 4).map((r) => r.fullPath);
const EXPECTED_REJECT: Record<string, string | null> = {
  '17/10000217_1981-05-05_2009.jpg': null,
  '48/10000548_1925-04-04_1964.jpg': 'second face (dataset second_face_score present)',
  '12/100012_1948-07-03_2008.jpg': null,
  '65/10001965_1930-05-23_1961.jpg': 'no face (dataset face_score -inf)',
};

async function buildArchive(dir: string, withMat = true): Promise<string> {
  const src = path.join(dir, 'src');
  const root = path.join(src, 'wiki_crop');
  fs.mkdirSync(root, { recursive: true });
  if (withMat) {
    if (REAL) fs.copyFileSync(WIKI_MAT, path.join(root, 'wiki.mat'));
    else fs.writeFileSync(path.join(root, 'wiki.mat'), writeWikiMat(SYNTHETIC));
  }
  for (const [i, p] of PHOTOS.entries()) {
    fs.mkdirSync(path.join(root, path.dirname(p)), { recursive: true });
    await sharp({ create: { width: 48, height: 64, channels: 3, background: { r: 40 * i, g: 120, b: 200 } } })
      .jpeg()
      .toFile(path.join(root, p));
  }
  const file = path.join(dir, 'served.tar');
  await tar.c({ cwd: src, file, portable: true }, ['wiki_crop']);
  return file;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wikidl-'));
}

test(`ensureWikiDownloaded() resumes a cut download, extracts, and wikiSource() lists the photos (${REAL ? 'real' : 'synthetic'} wiki.mat)`, async () => {
  const dir = tmp();
  try {
    const archive = fs.readFileSync(await buildArchive(dir));
    const cut = Math.floor(archive.length / 3);
    const server = await startRangeServer(archive, { path: '/wiki_crop.tar', cutAfter: { 0: cut } });
    const rawDir = path.join(dir, 'raw');
    const progress: sources.TransferProgress[] = [];
    try {
      const r = await sources.ensureWikiDownloaded({ rawDir, url: server.url, retries: 1, retryDelayMs: 1, progressIntervalMs: 0, onProgress: (p) => progress.push(p) });
      assert.equal(r.downloaded, true);
      assert.equal(r.extracted, true);
      assert.equal(r.root, path.join(rawDir, 'wiki_crop'));
      assert.equal(r.mat, path.join(rawDir, 'wiki_crop', 'wiki.mat'));
      // The first transfer was cut; the second fetched only the missing bytes.
      assert.equal(server.requests.length, 2);
      assert.equal(server.requests[0].sent, cut);
      assert.equal(server.requests[1].range, `bytes=${cut}-`);
      assert.equal(server.requests[1].sent, archive.length - cut);
      assert.ok(fs.readFileSync(r.tar).equals(archive));
      assert.equal(fs.existsSync(`${r.tar}.part`), false);
      assert.ok(fs.existsSync(r.marker));
      assert.ok(progress.some((p) => p.phase === 'download' && p.done));
      assert.ok(progress.some((p) => p.phase === 'extract' && p.done));

      // Work already done is skipped.
      const again = await sources.ensureWikiDownloaded({ rawDir, url: server.url });
      assert.deepEqual([again.downloaded, again.extracted], [false, false]);
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }

    const source = sources.wikiSource({ rawDir });
    const t0 = performance.now();
    const items = await source.list();
    console.log(`# wikiSource().list() of ${items.length} items in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(items.length, REAL ? 62328 : SYNTHETIC.length);
    for (const id of PHOTOS) {
      const item = items.find((i) => i.id === id);
      assert.ok(item, id);
      assert.equal(item.preReject ?? null, EXPECTED_REJECT[id], id);
      assert.ok(fs.existsSync(item.path));
    }
    const summary = await sources.summarizeSource(source, items);
    assert.equal(summary.preRejected['file missing'], items.length - PHOTOS.length);
    assert.equal(summary.candidates, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureWikiDownloaded() uses a wiki_crop.tar placed by hand without any request', async () => {
  const dir = tmp();
  try {
    const rawDir = path.join(dir, 'raw');
    fs.mkdirSync(rawDir);
    fs.copyFileSync(await buildArchive(dir), path.join(rawDir, 'wiki_crop.tar'));
    const port = await closedPort();
    const r = await sources.ensureWikiDownloaded({ rawDir, url: `http://127.0.0.1:${port}/wiki_crop.tar`, retries: 0 });
    assert.deepEqual([r.downloaded, r.extracted], [false, true]);
    for (const p of PHOTOS) assert.ok(fs.existsSync(path.join(rawDir, 'wiki_crop', p)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureWikiDownloaded() says how to get the archive by hand when the download fails', async () => {
  const dir = tmp();
  try {
    const rawDir = path.join(dir, 'raw');
    const tarPath = path.join(rawDir, 'wiki_crop.tar');
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/wiki_crop.tar`;
    await assert.rejects(sources.ensureWikiDownloaded({ rawDir, url, retries: 0 }), (e: Error) => {
      assert.equal(e.name, 'DownloadError');
      assert.equal(e.message, `could not download ${url}: connect ECONNREFUSED 127.0.0.1:${port} (gave up after 1 failed try); download it yourself and put it at ${tarPath}, or use FACETYPE_SOURCE=<folder>`);
      return true;
    });
    // Offline (the DNS lookup fails; simulated, nothing leaves the machine), with the official URL.
    const lookup = dns.lookup;
    const savedUrl = process.env.FACETYPE_WIKI_URL;
    delete process.env.FACETYPE_WIKI_URL;
    (dns as { lookup: unknown }).lookup = (host: string, o: unknown, cb?: (e: Error) => void) => {
      const done = (typeof o === 'function' ? o : cb) as (e: Error) => void;
      process.nextTick(() => done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host })));
    };
    try {
      await assert.rejects(
        sources.ensureWikiDownloaded({ rawDir }),
        {
          name: 'DownloadError',
          message: `could not download ${sources.WIKI_URL}: getaddrinfo ENOTFOUND data.vision.ee.ethz.ch; download it yourself and put it at ${tarPath}, or use FACETYPE_SOURCE=<folder>`,
        },
      );
    } finally {
      (dns as { lookup: unknown }).lookup = lookup;
      if (savedUrl !== undefined) process.env.FACETYPE_WIKI_URL = savedUrl;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureWikiDownloaded() rejects a short download and an archive without wiki.mat', async () => {
  const dir = tmp();
  try {
    const archive = fs.readFileSync(await buildArchive(dir, false));
    const server = await startRangeServer(archive, { path: '/wiki_crop.tar' });
    try {
      const rawDir = path.join(dir, 'raw');
      const tarPath = path.join(rawDir, 'wiki_crop.tar');
      await assert.rejects(
        sources.ensureWikiDownloaded({ rawDir, url: server.url, expectedBytes: archive.length + 1 }),
        { message: `could not download ${server.url}: the server reports ${archive.length} bytes but expectedBytes is ${archive.length + 1}; download it yourself and put it at ${tarPath}, or use FACETYPE_SOURCE=<folder>` },
      );
      await assert.rejects(
        sources.ensureWikiDownloaded({ rawDir, url: server.url }),
        { name: 'DataError', message: `${tarPath} has no wiki_crop/wiki.mat: is it the WIKI faces-only archive (wiki_crop.tar)?` },
      );
      await assert.rejects(
        sources.ensureWikiDownloaded({ rawDir, expectedBytes: -5 }),
        /^InvalidParameterError: Expected integer >= 1 for expectedBytes but received -5 of type number$/,
      );
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

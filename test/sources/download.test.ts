import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns = require('node:dns');
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { runtime, sources } from 'facetype';
import { startRangeServer, closedPort } from '../support/range-server';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dl-'));
}

/** Deterministic test bytes. */
function bytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

const FAST = { retryDelayMs: 1, progressIntervalMs: 0 };

test('downloadFile() fetches a file, reports progress and renames it into place', async () => {
  const body = bytes(300000);
  const server = await startRangeServer(body);
  const dir = tmp();
  try {
    const dest = path.join(dir, 'sub', 'f.bin');
    const seen: sources.TransferProgress[] = [];
    const r = await sources.downloadFile(server.url, dest, { ...FAST, onProgress: (p) => seen.push(p) });
    assert.deepEqual(r, { path: dest, bytes: 300000, downloaded: true, resumedFrom: 0, requests: 1 });
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(fs.existsSync(`${dest}.part`), false);
    const last = seen[seen.length - 1];
    assert.equal(last.done, true);
    assert.equal(last.bytes, 300000);
    assert.equal(last.totalBytes, 300000);
    assert.ok(seen.length >= 2);
    // Second call: already there, nothing fetched.
    const again = await sources.downloadFile(server.url, dest, FAST);
    assert.equal(again.downloaded, false);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() resumes an interrupted transfer with a Range request, fetching only the missing bytes', async () => {
  const body = bytes(500000);
  const server = await startRangeServer(body, { cutAfter: { 0: 123456 } });
  const dir = tmp();
  try {
    const dest = path.join(dir, 'f.bin');
    const r = await sources.downloadFile(server.url, dest, { ...FAST, retries: 1 });
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(r.requests, 2);
    const [first, second] = server.requests;
    assert.equal(first.range, undefined);
    assert.equal(first.sent, 123456);
    assert.equal(second.range, 'bytes=123456-');
    assert.equal(second.status, 206);
    assert.equal(second.sent, 500000 - 123456);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() resumes a .part file left by an earlier run', async () => {
  const body = bytes(100000);
  const server = await startRangeServer(body);
  const dir = tmp();
  try {
    const dest = path.join(dir, 'f.bin');
    fs.writeFileSync(`${dest}.part`, body.subarray(0, 40000));
    const r = await sources.downloadFile(server.url, dest, FAST);
    assert.equal(r.resumedFrom, 40000);
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(server.requests[0].range, 'bytes=40000-');
    assert.equal(server.requests[0].sent, 60000);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() restarts cleanly when the server ignores Range (200 instead of 206)', async () => {
  const body = bytes(50000);
  const server = await startRangeServer(body, { ignoreRange: true });
  const dir = tmp();
  try {
    const dest = path.join(dir, 'f.bin');
    fs.writeFileSync(`${dest}.part`, Buffer.alloc(30000, 0xee)); // stale bytes that must not survive
    await sources.downloadFile(server.url, dest, FAST);
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(server.requests[0].range, 'bytes=30000-');
    assert.equal(server.requests[0].status, 200);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() restarts from 0 when the server resumes at the wrong byte', async () => {
  const body = bytes(50000);
  const server = await startRangeServer(body, { badRangeStartOnce: true });
  const dir = tmp();
  try {
    const dest = path.join(dir, 'f.bin');
    fs.writeFileSync(`${dest}.part`, body.subarray(0, 1000));
    await sources.downloadFile(server.url, dest, FAST);
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.deepEqual(server.requests.map((r) => r.range), ['bytes=1000-', undefined]);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() accepts a complete .part file (HTTP 416) and follows redirects', async () => {
  const body = bytes(2000);
  const server = await startRangeServer(body);
  const dir = tmp();
  try {
    const dest = path.join(dir, 'f.bin');
    fs.writeFileSync(`${dest}.part`, body);
    await sources.downloadFile(`${server.base}/redirect`, dest, FAST);
    assert.ok(fs.readFileSync(dest).equals(body));
    assert.equal(server.requests[0].status, 416);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() size checks catch a short file', async () => {
  const body = bytes(10000);
  const dir = tmp();
  // The server announces 10000 bytes but every transfer stops at 9000: retries make no progress.
  let server = await startRangeServer(body, { truncateAt: 9000 });
  try {
    const dest = path.join(dir, 'a.bin');
    await assert.rejects(sources.downloadFile(server.url, dest, { ...FAST, retries: 1 }), (e: Error) => {
      assert.equal(e.name, 'DownloadError');
      assert.match(e.message, new RegExp(`^could not download ${server.url}: connection (closed|lost) after 9000 of 10000 bytes.* \\(gave up after 2 failed tries; the partial file ${dest}\\.part is kept and the next run resumes it\\)$`));
      return true;
    });
    assert.equal(fs.existsSync(dest), false);
    assert.equal(fs.statSync(`${dest}.part`).size, 9000);
  } finally {
    await server.close();
  }
  // The server's file is shorter than expected.
  server = await startRangeServer(body);
  try {
    const dest = path.join(dir, 'b.bin');
    await assert.rejects(
      sources.downloadFile(server.url, dest, { ...FAST, expectedBytes: 12000 }),
      new RegExp(`^DownloadError: could not download ${server.url}: the server reports 10000 bytes but expectedBytes is 12000$`),
    );
    assert.equal(fs.existsSync(dest), false);
  } finally {
    await server.close();
  }
  // No Content-Length: the size is only known at the end.
  server = await startRangeServer(body, { noLength: true });
  try {
    const dest = path.join(dir, 'c.bin');
    await assert.rejects(
      sources.downloadFile(server.url, dest, { ...FAST, expectedBytes: 12000 }),
      new RegExp(`^DownloadError: could not download ${server.url}: downloaded 10000 bytes but expectedBytes is 12000 \\(the file is kept at ${dest}\\.part: delete it to start over\\)$`),
    );
    // A file already in place with the wrong size.
    fs.writeFileSync(dest, body);
    await assert.rejects(
      sources.downloadFile(server.url, dest, { ...FAST, expectedBytes: 12000 }),
      new RegExp(`^DataError: ${dest} has 10000 bytes but expectedBytes is 12000: delete it to download it again$`),
    );
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() gives up on HTTP errors with the status, retrying only server errors', async () => {
  const dir = tmp();
  let server = await startRangeServer(bytes(10), { status: 404 });
  try {
    await assert.rejects(sources.downloadFile(server.url, path.join(dir, 'a'), FAST), new RegExp(`^DownloadError: could not download ${server.url}: HTTP 404 Not Found$`));
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
  server = await startRangeServer(bytes(10), { status: 503 });
  try {
    await assert.rejects(
      sources.downloadFile(server.url, path.join(dir, 'b'), { ...FAST, retries: 2 }),
      new RegExp(`^DownloadError: could not download ${server.url}: HTTP 503 Service Unavailable \\(gave up after 3 failed tries\\)$`),
    );
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() reports a refused connection, a timeout and a failed DNS lookup', async () => {
  const dir = tmp();
  try {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/f`;
    await assert.rejects(
      sources.downloadFile(url, path.join(dir, 'a'), { ...FAST, retries: 1 }),
      new RegExp(`^DownloadError: could not download ${url}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(gave up after 2 failed tries\\)$`),
    );
    const server = await startRangeServer(bytes(10), { stallMs: 2000 });
    try {
      await assert.rejects(
        sources.downloadFile(server.url, path.join(dir, 'b'), { ...FAST, retries: 0, timeoutMs: 100 }),
        /: no data for 0\.1 s \(gave up after 1 failed try\)$/,
      );
    } finally {
      await server.close();
    }
    // Offline: the lookup fails (simulated, no DNS query leaves the machine); not retried.
    const lookup = dns.lookup;
    let calls = 0;
    (dns as { lookup: unknown }).lookup = (host: string, _o: unknown, cb?: (e: Error) => void) => {
      calls++;
      const done = (typeof _o === 'function' ? _o : cb) as (e: Error) => void;
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host, syscall: 'getaddrinfo' });
      process.nextTick(() => done(err));
    };
    try {
      await assert.rejects(
        sources.downloadFile('http://data.example.invalid/x.tar', path.join(dir, 'c'), { ...FAST, retries: 3 }),
        /^DownloadError: could not download http:\/\/data\.example\.invalid\/x\.tar: getaddrinfo ENOTFOUND data\.example\.invalid$/,
      );
      assert.equal(calls, 1);
    } finally {
      (dns as { lookup: unknown }).lookup = lookup;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() reports a redirect loop and a refused range', async () => {
  const dir = tmp();
  let server = await startRangeServer(bytes(10), { path: '/redirect' });
  try {
    await assert.rejects(
      sources.downloadFile(`${server.base}/redirect`, path.join(dir, 'a'), FAST),
      new RegExp(`^DownloadError: could not download ${server.base}/redirect: too many redirects \\(last to /redirect\\)$`),
    );
  } finally {
    await server.close();
  }
  server = await startRangeServer(bytes(2000));
  try {
    const dest = path.join(dir, 'b');
    fs.writeFileSync(`${dest}.part`, bytes(3000)); // longer than the file: the server answers 416
    await assert.rejects(
      sources.downloadFile(server.url, dest, { ...FAST, retries: 0 }),
      new RegExp(`^DownloadError: could not download ${server.url}: the server refused the range from byte 3000 \\(HTTP 416\\); restarting from 0 \\(gave up after 1 failed try\\)$`),
    );
    // With a retry, the download starts over and completes.
    fs.writeFileSync(`${dest}.part`, bytes(3000));
    await sources.downloadFile(server.url, dest, { ...FAST, retries: 1 });
    assert.ok(fs.readFileSync(dest).equals(bytes(2000)));
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('downloadFile() validates its arguments', async () => {
  await assert.rejects(sources.downloadFile('ftp://x/y', '/tmp/none'), /^InvalidParameterError: Expected an http\(s\) URL for url but received 'ftp:\/\/x\/y' of type string$/);
  await assert.rejects(sources.downloadFile('not a url', '/tmp/none'), /^InvalidParameterError: Expected an http\(s\) URL for url but received 'not a url' of type string$/);
  await assert.rejects(sources.downloadFile('http://127.0.0.1/', '/tmp/none', { retries: -1 }), /^InvalidParameterError: Expected integer in \[0, 100\] for retries but received -1 of type number$/);
  await assert.rejects(sources.downloadFile('http://127.0.0.1/', '/tmp/none', { expectedBytes: 0 }), /^InvalidParameterError: Expected integer >= 1 for expectedBytes but received 0 of type number$/);
  await assert.rejects(sources.downloadFile('http://127.0.0.1/', '/tmp/none', { retry: 1 } as never), /^InvalidParameterError: Expected a known option \(.*\) for downloadFile options\.retry but received 'retry' of type string$/);
});

test('extractTar() extracts an archive with progress and rejects a truncated or corrupt one', async () => {
  const dir = tmp();
  try {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'top', 'a'), { recursive: true });
    fs.writeFileSync(path.join(src, 'top', 'a', 'x.bin'), bytes(70000));
    fs.writeFileSync(path.join(src, 'top', 'y.txt'), 'hello');
    const archive = path.join(dir, 'a.tar');
    await tar.c({ cwd: src, file: archive, portable: true }, ['top']);
    const seen: sources.TransferProgress[] = [];
    const r = await sources.extractTar(archive, path.join(dir, 'out'), { onProgress: (p) => seen.push(p), progressIntervalMs: 0 });
    assert.equal(r.entries, 4);
    assert.ok(fs.readFileSync(path.join(dir, 'out', 'top', 'a', 'x.bin')).equals(bytes(70000)));
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'top', 'y.txt'), 'utf8'), 'hello');
    const last = seen[seen.length - 1];
    assert.deepEqual([last.phase, last.done, last.entries], ['extract', true, 4]);

    const whole = fs.readFileSync(archive);
    const cut = path.join(dir, 'cut.tar');
    fs.writeFileSync(cut, whole.subarray(0, 1536)); // cut between entries: tar alone would not notice
    await assert.rejects(
      sources.extractTar(cut, path.join(dir, 'out2')),
      new RegExp(`^DataError: ${cut} is not a complete tar archive \\(1536 bytes, no end-of-archive marker\\): it is probably truncated; delete it and download it again$`),
    );
    const bad = path.join(dir, 'bad.tar');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('this is not a tar archive'.repeat(100)), Buffer.alloc(1024)]));
    await assert.rejects(
      sources.extractTar(bad, path.join(dir, 'out3')),
      new RegExp(`^DataError: could not extract ${bad}: TAR_ENTRY_INVALID: checksum failure; the archive may be corrupt: delete it and download it again$`),
    );
    await assert.rejects(sources.extractTar(path.join(dir, 'none.tar'), dir), new RegExp(`^DataError: archive ${dir}/none\\.tar does not exist$`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('formatProgress() shows a bar, percentage, sizes, rate and ETA', () => {
  const p: sources.TransferProgress = {
    phase: 'download', file: 'wiki_crop.tar', bytes: 334_100_000, totalBytes: 811_000_000, resumedFrom: 0,
    bytesPerSecond: 12_300_000, etaSeconds: 38.8, elapsedSeconds: 27, done: false,
  };
  assert.equal(sources.formatProgress(p, 10), 'wiki_crop.tar  [####------]   41.2%  334.1 MB / 811.0 MB  12.3 MB/s  ETA 39s');
  assert.equal(sources.formatProgress({ ...p, totalBytes: null, etaSeconds: null }), 'wiki_crop.tar  334.1 MB  12.3 MB/s');
  assert.equal(
    sources.formatProgress({ ...p, phase: 'extract', bytes: 811_000_000, done: true, entries: 62_430, elapsedSeconds: 3725 }, 0),
    'extracting wiki_crop.tar  100.0%  811.0 MB / 811.0 MB  62430 entries  done in 1h02m',
  );
  assert.equal(sources.formatBytes(999), '999 B');
  assert.equal(sources.formatBytes(1500), '1.5 kB');
  assert.equal(runtime.formatDuration(59.6), '1m00s');
  const lines: string[] = [];
  const print = sources.terminalProgress({ write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream);
  print({ ...p, done: true });
  assert.match(lines[0], /^\rwiki_crop\.tar .* done in 27s\x1b\[K\n$/);
});

/**
 * Resumable HTTP(S) download and streaming tar extraction, for the dataset archives in data/raw.
 *
 * downloadFile() writes to `<dest>.part`, resumes a partial file with an HTTP Range request
 * (206 appends; a server that ignores Range answers 200 and the file restarts cleanly from 0),
 * checks the size against Content-Length / Content-Range and an optional expectedBytes, retries
 * with exponential backoff (a try that made progress does not count as a failure) and renames the
 * finished file into place atomically. Progress goes to a callback; formatProgress() turns it into
 * a one-line bar for a terminal or a notebook.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tar from 'tar';
import { formatDuration } from '../runtime/progress';
import { DataError, InvalidParameterError, integerInRange, withDefaults } from '../validate';

/** Progress of a download or an extraction. */
export interface TransferProgress {
  phase: 'download' | 'extract';
  /** File name being downloaded or extracted. */
  file: string;
  /** Bytes done so far, including bytes already on disk from an earlier, interrupted download. */
  bytes: number;
  /** Total size when the server told it (or the archive size when extracting), else null. */
  totalBytes: number | null;
  /** Bytes that were already on disk when this transfer started (resumed download). */
  resumedFrom: number;
  /** Average rate of this transfer in bytes per second (resumed bytes excluded). */
  bytesPerSecond: number;
  /** Estimated seconds left, null when unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  done: boolean;
  /** Archive entries extracted so far (extract phase only). */
  entries?: number;
}

export interface DownloadOptions {
  /** Retries after a failed try (network error, cut connection, HTTP 5xx). Default 5. */
  retries?: number;
  /** Wait before the first retry, doubled after each failure (at most 60 s). Default 1000 ms. */
  retryDelayMs?: number;
  /** A try fails when no data arrives for this long. Default 60000 ms. */
  timeoutMs?: number;
  /** Expected size of the file; a different size is an error (not retried). Default null (trust the server). */
  expectedBytes?: number | null;
  /** Called with progress at most every progressIntervalMs, and once when done. */
  onProgress?: ((progress: TransferProgress) => void) | null;
  /** Default 500 ms. */
  progressIntervalMs?: number;
}

export const DOWNLOAD_DEFAULTS: Required<DownloadOptions> = {
  retries: 5,
  retryDelayMs: 1000,
  timeoutMs: 60000,
  expectedBytes: null,
  onProgress: null,
  progressIntervalMs: 500,
};

export interface DownloadResult {
  path: string;
  bytes: number;
  /** False when the file was already there (nothing fetched). */
  downloaded: boolean;
  /** Bytes found in the .part file from an earlier interrupted download (0 for a fresh one). */
  resumedFrom: number;
  /** HTTP requests made (redirects not counted). */
  requests: number;
}

/** A download that failed for good. `reason` is the last failure (e.g. 'getaddrinfo ENOTFOUND host'). */
export class DownloadError extends DataError {
  readonly url: string;
  readonly reason: string;
  constructor(url: string, reason: string) {
    super(`could not download ${url}: ${reason}`);
    this.name = 'DownloadError';
    this.url = url;
    this.reason = reason;
  }
}

/** One failed try; `retryable` says whether another try may help. */
class TryError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

const REDIRECTS = [301, 302, 303, 307, 308];

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e && e.message ? e.message : String(err);
}

/** Network errors worth another try; a failed DNS lookup (offline) is not. */
function retryableNetworkError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code !== 'ENOTFOUND' && code !== 'ERR_INVALID_URL' && code !== 'ERR_INVALID_PROTOCOL';
}

function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers: { 'User-Agent': 'facetype', 'Accept-Encoding': 'identity', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.includes(status) && res.headers.location) {
        res.resume();
        if (redirects === 0) {
          reject(new TryError(`too many redirects (last to ${res.headers.location})`, false));
          return;
        }
        get(new URL(res.headers.location, url).href, headers, timeoutMs, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.on('error', (err) => reject(new TryError(errorReason(err), retryableNetworkError(err))));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
  });
}

/** Parses `bytes START-END/TOTAL` or `bytes * /TOTAL`. */
function parseContentRange(value: string | undefined): { start: number | null; total: number | null } {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec((value ?? '').trim());
  if (!m) return { start: null, total: null };
  return { start: m[1] !== undefined ? Number(m[1]) : null, total: m[2] === '*' ? null : Number(m[2]) };
}

/**
 * Writes a response body to the file in flowing mode: every chunk that reached us is written
 * before an interruption is reported (async iteration would drop the chunks still buffered when
 * the connection breaks, and the resume would fetch them again). Resolves with the bytes in the file;
 * rejects with `written` set (and `writeFailed` when the file could not be written).
 */
function writeBody(
  res: http.IncomingMessage,
  file: Promise<fs.promises.FileHandle>,
  start: number,
  onBytes: (bytes: number) => void,
): Promise<number> {
  const HIGH = 8 << 20;
  const LOW = 1 << 20;
  return new Promise((resolve, reject) => {
    let bytes = start;
    let inFlight = 0;
    let writeError: Error | null = null;
    let chain: Promise<unknown> = file.catch((err: Error) => {
      writeError = err;
      res.destroy();
    });
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      chain.then(() => {
        if (writeError) reject(Object.assign(writeError, { written: bytes, writeFailed: true }));
        else if (err) reject(Object.assign(err, { written: bytes }));
        else resolve(bytes);
      });
    };
    res.on('data', (chunk: Buffer) => {
      inFlight += chunk.length;
      if (inFlight > HIGH) res.pause();
      chain = chain.then(async () => {
        if (writeError) return;
        try {
          await (await file).write(chunk);
        } catch (err) {
          writeError = err as Error;
          res.destroy();
          return;
        }
        bytes += chunk.length;
        inFlight -= chunk.length;
        onBytes(bytes);
        if (inFlight < LOW && res.isPaused()) res.resume();
      });
    });
    res.on('end', () => finish(null));
    res.on('error', (err) => finish(err));
    res.on('close', () => finish(res.complete ? null : new Error('the connection closed early')));
  });
}

class ProgressReporter {
  private last = 0;
  private readonly started = Date.now();
  constructor(
    private readonly callback: ((p: TransferProgress) => void) | null,
    private readonly intervalMs: number,
    private readonly phase: 'download' | 'extract',
    private readonly file: string,
    private readonly resumedFrom: number,
  ) {}

  report(bytes: number, totalBytes: number | null, done: boolean, entries?: number): void {
    if (!this.callback) return;
    const now = Date.now();
    if (!done && now - this.last < this.intervalMs) return;
    this.last = now;
    const elapsedSeconds = (now - this.started) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? Math.max(0, bytes - this.resumedFrom) / elapsedSeconds : 0;
    const etaSeconds = done ? 0 : totalBytes !== null && bytesPerSecond > 0 ? Math.max(0, (totalBytes - bytes) / bytesPerSecond) : null;
    const p: TransferProgress = {
      phase: this.phase, file: this.file, bytes, totalBytes, resumedFrom: this.resumedFrom,
      bytesPerSecond, etaSeconds, elapsedSeconds, done,
    };
    if (entries !== undefined) p.entries = entries;
    this.callback(p);
  }
}

/**
 * Downloads `url` to `dest` (see the module comment). Resolves immediately when `dest` already
 * exists (a file placed there by hand counts); throws DownloadError when it fails for good.
 */
export async function downloadFile(url: string, dest: string, options?: DownloadOptions): Promise<DownloadResult> {
  const opts = withDefaults('downloadFile options', DOWNLOAD_DEFAULTS, options);
  integerInRange('retries', opts.retries, 0, 100);
  integerInRange('retryDelayMs', opts.retryDelayMs, 0);
  integerInRange('timeoutMs', opts.timeoutMs, 1);
  integerInRange('progressIntervalMs', opts.progressIntervalMs, 0);
  if (opts.expectedBytes !== null) integerInRange('expectedBytes', opts.expectedBytes, 1);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidParameterError('url', 'an http(s) URL', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidParameterError('url', 'an http(s) URL', url);

  if (fs.existsSync(dest)) {
    const size = fileSize(dest);
    if (opts.expectedBytes !== null && size !== opts.expectedBytes) {
      throw new DataError(`${dest} has ${size} bytes but expectedBytes is ${opts.expectedBytes}: delete it to download it again`);
    }
    return { path: dest, bytes: size, downloaded: false, resumedFrom: 0, requests: 0 };
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const resumedFrom = fileSize(part);
  const reporter = new ProgressReporter(opts.onProgress, opts.progressIntervalMs, 'download', path.basename(dest), resumedFrom);
  let requests = 0;
  let failures = 0;
  let total: number | null = null;

  // One try: fetch what is missing from the .part file. Resolves when the file is complete.
  const attempt = async (): Promise<void> => {
    const have = fileSize(part);
    requests++;
    const res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, opts.timeoutMs);
    const status = res.statusCode ?? 0;
    let append: boolean;
    if (status === 200) {
      append = false; // fresh download, or the server ignored Range: restart from byte 0
      const length = res.headers['content-length'];
      total = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
    } else if (status === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (range.start !== have) {
        res.destroy();
        fs.rmSync(part, { force: true });
        throw new TryError(`the server resumed at byte ${range.start} instead of ${have}; restarting from 0`, true);
      }
      append = true;
      total = range.total;
    } else if (status === 416) {
      res.resume();
      const range = parseContentRange(res.headers['content-range']);
      if (range.total !== null && range.total === have) {
        total = have; // the .part file was already complete
        return;
      }
      fs.rmSync(part, { force: true });
      throw new TryError(`the server refused the range from byte ${have} (HTTP 416); restarting from 0`, true);
    } else {
      res.resume();
      const retryable = status >= 500 || status === 408 || status === 429;
      throw new TryError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), retryable);
    }
    if (total !== null && opts.expectedBytes !== null && total !== opts.expectedBytes) {
      res.destroy();
      throw new TryError(`the server reports ${total} bytes but expectedBytes is ${opts.expectedBytes}`, false);
    }
    // Listeners go on the response now, before any await: events of a connection that breaks
    // while the file is being opened must not be missed.
    const fhPromise = fs.promises.open(part, append ? 'a' : 'w');
    let bytes = append ? have : 0;
    try {
      bytes = await writeBody(res, fhPromise, bytes, (b) => reporter.report(b, total, false));
    } catch (err) {
      const written = (err as { written?: number }).written ?? bytes;
      if ((err as { writeFailed?: boolean }).writeFailed) throw new TryError(`could not write ${part}: ${errorReason(err)}`, false);
      throw new TryError(`connection lost after ${written}${total !== null ? ` of ${total}` : ''} bytes (${errorReason(err)})`, true);
    } finally {
      await fhPromise.then((fh) => fh.close(), () => undefined);
    }
    if (total !== null && bytes < total) {
      throw new TryError(`connection closed after ${bytes} of ${total} bytes`, true);
    }
    if (total !== null && bytes > total) {
      fs.rmSync(part, { force: true });
      throw new TryError(`received ${bytes} bytes but the server announced ${total}; restarting from 0`, true);
    }
  };

  for (;;) {
    const before = fileSize(part);
    try {
      await attempt();
      break;
    } catch (err) {
      const e = err instanceof TryError ? err : new TryError(errorReason(err), retryableNetworkError(err));
      if (!e.retryable) throw new DownloadError(url, e.message);
      if (fileSize(part) > before) failures = 0; // progress was made: the connection is not hopeless
      failures++;
      if (failures > opts.retries) {
        const kept = fileSize(part) > 0 ? `; the partial file ${part} is kept and the next run resumes it` : '';
        throw new DownloadError(url, `${e.message} (gave up after ${failures} failed ${failures === 1 ? 'try' : 'tries'}${kept})`);
      }
      await sleep(Math.min(60000, opts.retryDelayMs * 2 ** (failures - 1)));
    }
  }

  const size = fileSize(part);
  if (opts.expectedBytes !== null && size !== opts.expectedBytes) {
    throw new DownloadError(url, `downloaded ${size} bytes but expectedBytes is ${opts.expectedBytes} (the file is kept at ${part}: delete it to start over)`);
  }
  fs.renameSync(part, dest);
  reporter.report(size, total ?? size, true);
  return { path: dest, bytes: size, downloaded: true, resumedFrom, requests };
}

export interface ExtractOptions {
  onProgress?: ((progress: TransferProgress) => void) | null;
  /** Default 500 ms. */
  progressIntervalMs?: number;
}

export const EXTRACT_DEFAULTS: Required<ExtractOptions> = { onProgress: null, progressIntervalMs: 500 };

export interface ExtractResult {
  /** Entries (files and folders) extracted. */
  entries: number;
  bytes: number;
}

/**
 * Extracts a tar archive into `destDir` as a stream (constant memory), with progress. Paths are
 * sanitised by `tar` (no absolute paths, no '..'). Throws a DataError for a corrupt or truncated archive.
 */
export async function extractTar(tarPath: string, destDir: string, options?: ExtractOptions): Promise<ExtractResult> {
  const opts = withDefaults('extractTar options', EXTRACT_DEFAULTS, options);
  let size: number;
  try {
    size = fs.statSync(tarPath).size;
  } catch {
    throw new DataError(`archive ${tarPath} does not exist`);
  }
  // A tar ends with two zero blocks: without them the archive was cut short (tar itself would not notice
  // when the cut falls between two entries).
  if (size < 1024 || !endsWithZeroBlocks(tarPath, size)) {
    throw new DataError(`${tarPath} is not a complete tar archive (${size} bytes, no end-of-archive marker): it is probably truncated; delete it and download it again`);
  }
  fs.mkdirSync(destDir, { recursive: true });
  const reporter = new ProgressReporter(opts.onProgress, opts.progressIntervalMs, 'extract', path.basename(tarPath), 0);
  let read = 0;
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const input = fs.createReadStream(tarPath, { highWaterMark: 1 << 20 });
    const unpack = tar.x({ cwd: destDir, strict: true, preserveOwner: false });
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      reject(new DataError(`could not extract ${tarPath}: ${err.message}; the archive may be corrupt: delete it and download it again`));
    };
    unpack.on('entry', () => {
      entries++;
    });
    unpack.on('error', fail);
    input.on('error', fail);
    input.on('data', (chunk) => {
      read += chunk.length;
      reporter.report(read, size, false, entries);
    });
    unpack.on('close', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    input.pipe(unpack);
  });
  reporter.report(size, size, true, entries);
  return { entries, bytes: size };
}

function endsWithZeroBlocks(file: string, size: number): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1024);
    fs.readSync(fd, buf, 0, 1024, size - 1024);
    return buf.every((b) => b === 0);
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Display

/** Bytes as a short human-readable size: 812.3 MB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}


/**
 * One line of progress: `wiki_crop.tar [########------------]  41.2%  334.1 MB / 811.0 MB  12.3 MB/s  ETA 0:39`.
 * `width` is the number of bar characters (0 for no bar).
 */
export function formatProgress(p: TransferProgress, width = 20): string {
  const verb = p.phase === 'extract' ? 'extracting ' : '';
  const parts = [`${verb}${p.file}`];
  if (p.totalBytes !== null && p.totalBytes > 0) {
    const frac = Math.min(1, p.bytes / p.totalBytes);
    if (width > 0) {
      const filled = Math.round(frac * width);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`);
    }
    parts.push(`${(frac * 100).toFixed(1).padStart(5)}%`);
    parts.push(`${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)}`);
  } else {
    parts.push(formatBytes(p.bytes));
  }
  if (p.entries !== undefined) parts.push(`${p.entries} entries`);
  if (p.done) {
    parts.push(`done in ${formatDuration(p.elapsedSeconds)}`);
  } else {
    parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
    if (p.etaSeconds !== null) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  }
  return parts.join('  ');
}

/**
 * A progress callback for terminals: rewrites one line of `stream` (default stderr) and ends it
 * when done. In a notebook, pass your own callback that prints formatProgress(p).
 */
export function terminalProgress(stream: NodeJS.WritableStream = process.stderr): (p: TransferProgress) => void {
  return (p) => {
    stream.write(`\r${formatProgress(p)}\x1b[K${p.done ? '\n' : ''}`);
  };
}

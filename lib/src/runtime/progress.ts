/**
 * Progress of long steps: counts, rate and time left, printed as one updating line in a terminal
 * and as occasional lines elsewhere (notebook outputs, CI logs).
 */
import * as fs from 'node:fs';

export interface Progress {
  stage: string;
  done: number;
  total: number;
  /** Items served from a cache (not recomputed). */
  cached: number;
  failed: number;
  elapsedSeconds: number;
  /** Items per second over the work actually done in this run. */
  rate: number;
  /** Estimated seconds left, null until a rate is known. */
  etaSeconds: number | null;
}

export type ProgressCallback = (p: Progress) => void;

/** Marks progress lines a notebook kernel writes to its stderr for the launcher's terminal. */
export const PROGRESS_PREFIX = '@facetype-progress ';

/** Tracks a step's progress and calls `onProgress` at most every `intervalMs` (and at the end). */
export class ProgressTracker {
  readonly stage: string;
  readonly total: number;
  done = 0;
  cached = 0;
  failed = 0;
  private readonly start = Date.now();
  private lastEmit = 0;
  private lastEmittedDone = -1;
  private readonly onProgress?: ProgressCallback;
  private readonly intervalMs: number;

  constructor(stage: string, total: number, onProgress?: ProgressCallback, intervalMs = 1000) {
    this.stage = stage;
    this.total = total;
    this.onProgress = onProgress;
    this.intervalMs = intervalMs;
  }

  tick(kind: 'done' | 'cached' | 'failed' = 'done', n = 1): void {
    this.done += n;
    if (kind === 'cached') this.cached += n;
    if (kind === 'failed') this.failed += n;
    const now = Date.now();
    if (this.onProgress && (now - this.lastEmit >= this.intervalMs || this.done === this.total)) {
      this.lastEmit = now;
      this.lastEmittedDone = this.done;
      this.onProgress(this.snapshot());
    }
  }

  snapshot(): Progress {
    const elapsed = (Date.now() - this.start) / 1000;
    const worked = this.done - this.cached;
    const rate = elapsed > 0 ? worked / elapsed : 0;
    const left = this.total - this.done;
    return {
      stage: this.stage,
      done: this.done,
      total: this.total,
      cached: this.cached,
      failed: this.failed,
      elapsedSeconds: elapsed,
      rate,
      // no estimate from the first few items (start-up costs would make it absurd)
      etaSeconds: left === 0 ? 0 : rate > 0 && worked >= 20 ? left / rate : null,
    };
  }

  /** Emits the final state. */
  finish(): Progress {
    const p = this.snapshot();
    if (this.lastEmittedDone !== this.done) this.onProgress?.(p);
    this.lastEmittedDone = this.done;
    return p;
  }
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line describing progress: `prepare  1200/18686 (6%)  54.2/s  cached 300  failed 2  left 5m22s`. */
export function formatProgress(p: Progress): string {
  const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
  const parts = [`${p.stage}`, `${p.done}/${p.total} (${pct}%)`, `${p.rate.toFixed(1)}/s`];
  if (p.cached) parts.push(`cached ${p.cached}`);
  if (p.failed) parts.push(`failed ${p.failed}`);
  parts.push(p.done >= p.total ? `done in ${formatDuration(p.elapsedSeconds)}` : `left ${formatDuration(p.etaSeconds)}`);
  return parts.join('  ');
}

/**
 * A ProgressCallback that prints: an updating line on a TTY, else a line every `everyPercent`
 * percent (notebooks and logs stay short).
 */
export interface PrintProgressOptions {
  stream?: NodeJS.WriteStream;
  everyPercent?: number;
  /**
   * Also write each line, prefixed, to file descriptor 2: under `npm start` the notebooks run in a
   * kernel whose stdout goes into the notebook, and the launcher shows these lines on its terminal
   * (config.ts sets it from FACETYPE_PROGRESS_STDERR).
   */
  toStderr?: boolean;
}

export function printProgress(options: PrintProgressOptions = {}): ProgressCallback {
  const stream = options.stream ?? process.stdout;
  const everyPercent = options.everyPercent ?? 10;
  let lastPct = -1;
  const toTerminal = options.toStderr === true;
  return (p) => {
    const line = formatProgress(p);
    if (toTerminal) {
      try {
        fs.writeSync(2, `${PROGRESS_PREFIX}${line}\n`);
      } catch {
        // no stderr: ignore
      }
    }
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${p.done >= p.total ? '\n' : ''}`);
      return;
    }
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    if (p.done >= p.total || pct >= lastPct + everyPercent) {
      lastPct = pct - (pct % everyPercent);
      stream.write(line + '\n');
    }
  };
}

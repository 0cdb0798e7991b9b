#!/usr/bin/env node
/**
 * `npm start` / `npm run demo`: the whole analysis headless, by executing the three notebooks in
 * order with the tslab kernel (so notebooks and command line cannot drift apart), then the report.
 *
 *   node lib/dist/cli/run.js [--source wiki|demo|<folder>] [--keep N] [--k 2..10|auto]
 *                            [--data <dir>] [--reports <dir>] [--only 01,02,03] [--no-html] [--verbose]
 *
 * Everything the user typed is checked before any notebook starts (exit code 2 for usage, 1 for
 * data); the data folder is locked for the run (a second run on it refuses at once), and a
 * watchdog ends the notebook kernel whenever this process ends, even by kill -9.
 *
 * Options may also come from FACETYPE_SOURCE, FACETYPE_KEEP, FACETYPE_K, FACETYPE_DATA,
 * FACETYPE_REPORTS. Progress of long steps is shown on the terminal while the notebooks run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectPaths, runConfig } from '../config';
import { LockedError, acquireLock, type Lock } from '../io/lock';
import { NotebookError, executeNotebook, notebookSkipReason } from './jupyter';
import { PROGRESS_PREFIX, formatDuration } from '../runtime/progress';
import { startWatchdog } from '../runtime/watchdog';
import { findImageFile, IMAGE_EXTENSIONS } from '../sources/folder';
import { DataError } from '../validate';

export const NOTEBOOKS = ['01_data_preparation.ipynb', '02_clustering.ipynb', '03_average_face.ipynb'];

interface Args {
  source?: string;
  keep?: string;
  k?: string;
  data?: string;
  reports?: string;
  only?: string[];
  html: boolean;
  help: boolean;
  verbose: boolean;
}

/** A mistake in what the user typed: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes: 0 done, 1 a data problem (source, data folder, a notebook's data), 2 usage. */
export const EXIT = { ok: 0, data: 1, usage: 2 } as const;

const NOTEBOOK_IDS = ['01', '02', '03'];

function parseArgs(argv: string[]): Args {
  const args: Args = { html: true, help: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--source': args.source = value(); break;
      case '--keep': args.keep = value(); break;
      case '--k': args.k = value(); break;
      case '--data': args.data = value(); break;
      case '--reports': args.reports = value(); break;
      case '--only': args.only = value().split(',').map((s) => s.trim()); break;
      case '--no-html': args.html = false; break;
      case '--verbose': args.verbose = true; break;
      case '-h': case '--help': args.help = true; break;
      default: throw new UsageError(`unknown option ${a} (see --help)`);
    }
  }
  return args;
}

const HELP = `Usage: npm start -- [options]      (npm run demo = npm start -- --source demo)

  --source wiki|demo|<folder>   photos to analyse (default: FACETYPE_SOURCE, else wiki)
  --keep N                      faces to keep (default: FACETYPE_KEEP, else 9000)
  --k 2..10|auto                fixed number of clusters (default: auto, chosen from the metrics)
  --data <dir>                  data folder (default: FACETYPE_DATA, else ./data)
  --reports <dir>               executed notebooks and report (default: ./reports)
  --only 01,02,03               run only these notebooks (their inputs must exist)
  --no-html                     skip the HTML exports and the report
  --verbose                     on errors, also print the failing cell's whole traceback

Exit codes: 0 done, 1 a data problem (the source, the data folder, a notebook's data), 2 usage.
`;

/** Shows the kernels' progress lines (see printProgress), one updating line on a terminal. */
const lastShown = new Map<string, number>();
function showProgress(line: string): void {
  const i = line.indexOf(PROGRESS_PREFIX);
  if (i < 0) return;
  const text = line.slice(i + PROGRESS_PREFIX.length);
  const done = / done in /.test(text);
  if (process.stdout.isTTY) {
    process.stdout.write(`\r   ${text}\x1b[K${done ? '\n' : ''}`);
    return;
  }
  // in a log, a line per 10% of each stage
  const stage = text.split(' ')[0];
  const pct = Number(/\((\d+)%\)/.exec(text)?.[1] ?? 0);
  const last = lastShown.get(stage) ?? -10;
  if (done || pct >= last + 10) {
    lastShown.set(stage, done ? -10 : pct - (pct % 10));
    process.stdout.write(`   ${text}\n`);
  }
}

/** Checks --keep, --k and --only as typed, naming the flag (not the variable it becomes). */
function checkFlags(args: Args): void {
  if (args.keep !== undefined && !/^\d+$/.test(args.keep.trim()) || args.keep !== undefined && Number(args.keep) < 1) {
    throw new UsageError(`--keep expects a whole number of faces, 1 or more, but received ${JSON.stringify(args.keep)}`);
  }
  if (args.k !== undefined && args.k !== 'auto') {
    const k = Number(args.k);
    if (!/^\d+$/.test(args.k.trim()) || k < 2 || k > 10) throw new UsageError(`--k expects auto or a whole number from 2 to 10, but received ${JSON.stringify(args.k)}`);
  }
  if (args.only) {
    const bad = args.only.filter((o) => !NOTEBOOK_IDS.includes(o.padStart(2, '0')));
    if (bad.length || args.only.length === 0) throw new UsageError(`--only expects notebook numbers among ${NOTEBOOK_IDS.join(',')}, but received ${JSON.stringify(args.only.join(','))}`);
    args.only = args.only.map((o) => o.padStart(2, '0'));
  }
  for (const [flag, v] of [['--source', args.source], ['--data', args.data], ['--reports', args.reports]] as const) {
    if (v !== undefined && v.trim() === '') throw new UsageError(`${flag} needs a value, but received an empty string`);
  }
}

/** `--source` as typed, or FACETYPE_SOURCE, for messages. */
function sourceFlag(args: Args): string {
  return args.source !== undefined ? '--source' : 'FACETYPE_SOURCE';
}

/** The source exists and holds photos (a folder with an image file), before any notebook runs. */
function checkSource(args: Args, source: string): void {
  if (source === 'wiki' || source === 'demo') return;
  const flag = sourceFlag(args);
  const abs = path.resolve(source);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new DataError(`${flag} ${source}: no such folder (${abs}); give wiki, demo or a folder of photos`);
  }
  if (!st.isDirectory()) throw new DataError(`${flag} ${source}: ${abs} is a file, not a folder of photos`);
  if (findImageFile(abs) === null) {
    throw new DataError(`${flag} ${source}: no image file in ${abs} (looked for ${IMAGE_EXTENSIONS.join(' ')}, in subfolders too)`);
  }
}

/** The folder exists (created if needed) and we can write in it. */
function checkWritable(flag: string, dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.facetype-write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    throw new DataError(`${flag} ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** --only 02/03 reuse the outputs of the notebooks before: they must exist. */
function checkOnlyInputs(selected: string[], processed: string): void {
  const needs: [string, string, string][] = [
    ['02', path.join(processed, 'faces.json'), '01'],
    ['03', path.join(processed, 'clusters.csv'), '02'],
  ];
  for (const [nb, file, from] of needs) {
    const runsEarlier = selected.some((n) => n.startsWith(from));
    if (selected.some((n) => n.startsWith(nb)) && !runsEarlier && !fs.existsSync(file)) {
      throw new DataError(`--only ${nb} needs ${file}, which notebook ${from} writes: run it first (or without --only)`);
    }
  }
}

/** The WIKI archive, downloaded and extracted before notebook 01 (with progress on this terminal). */
async function ensureWiki(rawDir: string, url: string | null): Promise<void> {
  // loaded here, not at start: a refused run (lock, usage) answers within a second even on a busy machine
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ensureWikiDownloaded } = require('../sources/wiki') as typeof import('../sources/wiki');
  const { formatProgress: formatTransfer } = require('../sources/download') as typeof import('../sources/download');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let last = 0;
  try {
    await ensureWikiDownloaded({
      rawDir,
      url,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 2000) return;
        last = now;
        if (process.stdout.isTTY) process.stdout.write(`\r   ${formatTransfer(p)}\x1b[K`);
        else console.log(`   ${formatTransfer(p)}`);
      },
    });
  } finally {
    if (last && process.stdout.isTTY) process.stdout.write('\n');
  }
}

/** The clustering's refusal of a set too small to form types (stages/types.ts kRange, faceMatrix). */
const TOO_FEW_FACES = /^(only \d+ faces|no faces to cluster)/;

/** The report of a run without types (see report/no-types.ts), or null when even that fails. */
async function noTypesReport(dataDir: string, reportsDir: string, reason: string): Promise<string | null> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildNoTypesReport } = require('../report/no-types') as typeof import('../report/no-types');
    return await buildNoTypesReport({ dataDir, reportsDir, reason });
  } catch (e) {
    console.error(`report: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

/** After new clusters without new averages: the old averages no longer match them, so they go. */
function dropStaleAverages(paths: ReturnType<typeof projectPaths>): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { staleAverages, removeAverages } = require('../stages/averages') as typeof import('../stages/averages');
  const why = staleAverages(paths);
  if (why === null) return;
  const n = removeAverages(paths);
  console.log(`   removed ${n} files of averages made from earlier clusters (${why}): run --only 03 to redo them`);
}

/** A path relative to the current folder when it lies below it, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** One line for an error; the stack only with --verbose. */
function report(e: unknown, verbose: boolean, hint = ''): void {
  const msg = (e as Error)?.message ?? String(e);
  const line = msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace(/FACETYPE_SOURCE=<folder>/g, '--source <folder>');
  console.error(`error: ${line}${hint}`);
  if (verbose && e instanceof Error) console.error(e instanceof NotebookError ? e.details : e.stack);
}

/** Releases the lock at any end of the process: normal exit, error, or a signal. */
function holdUntilExit(lock: Lock): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const onSignal = (sig: NodeJS.Signals): void => {
    lock.release();
    console.error(`\nstopped by ${sig}: the notebook kernel is being shut down; finished steps are cached.`);
    process.exit(codes[sig]);
  };
  const onExit = (): void => lock.release();
  for (const sig of signals) process.on(sig, onSignal);
  process.on('exit', onExit);
  return () => {
    for (const sig of signals) process.off(sig, onSignal);
    process.off('exit', onExit);
    lock.release();
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
    checkFlags(args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return EXIT.usage;
  }
  if (args.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const env: Record<string, string> = {};
  if (args.source) env.FACETYPE_SOURCE = args.source;
  if (args.keep) env.FACETYPE_KEEP = String(Number(args.keep));
  if (args.k) env.FACETYPE_K = args.k;
  if (args.data) env.FACETYPE_DATA = path.resolve(args.data);
  if (args.reports) env.FACETYPE_REPORTS = path.resolve(args.reports);
  Object.assign(process.env, env);
  let cfg;
  try {
    cfg = runConfig();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return EXIT.usage;
  }
  const paths = projectPaths();
  const reports = paths.reports;
  const selected = NOTEBOOKS.filter((n) => !args.only || args.only.some((o) => n.startsWith(o)));
  try {
    checkSource(args, cfg.source);
    checkWritable(args.data !== undefined ? '--data' : 'data folder', cfg.paths.data);
    checkWritable(args.reports !== undefined ? '--reports' : 'reports folder', reports);
    checkOnlyInputs(selected, paths.processed);
  } catch (e) {
    report(e, args.verbose);
    return EXIT.data;
  }
  let lock: Lock;
  try {
    lock = acquireLock(cfg.paths.data, {
      command: ['npm start --', ...argv].join(' '),
      onMessage: (m) => console.log(`facetype: ${m}`),
    });
  } catch (e) {
    if (e instanceof LockedError) {
      console.error(`error: ${e.message}`);
      return EXIT.data;
    }
    report(e, args.verbose);
    return EXIT.data;
  }
  const unhold = holdUntilExit(lock);
  const skip = notebookSkipReason();
  if (skip) {
    unhold();
    console.error(`error: cannot run the notebooks: ${skip}`);
    return EXIT.data;
  }
  try {
    return await runNotebooks(args, cfg, env, selected);
  } finally {
    unhold();
  }
}

async function runNotebooks(args: Args, cfg: ReturnType<typeof runConfig>, env: Record<string, string>, selected: string[]): Promise<number> {
  const paths = projectPaths();
  const reports = paths.reports;
  // the kernel runs in a session of its own: a watchdog ends it whenever this process ends
  startWatchdog();
  // progress lines of long steps reach this terminal through the kernel's stderr
  env.FACETYPE_PROGRESS_STDERR = '1';
  console.log(`facetype: source ${cfg.source}, keep ${cfg.keep}, k ${cfg.k}, data ${cfg.paths.data}, ${cfg.workers} workers`);
  if (cfg.source === 'wiki' && selected.some((n) => n.startsWith('01'))) {
    try {
      await ensureWiki(paths.raw, cfg.wikiUrl);
    } catch (e) {
      report(e, args.verbose);
      return EXIT.data;
    }
  }
  const timings: { notebook: string; seconds: number }[] = [];
  const t0 = Date.now();
  for (const nb of selected) {
    console.log(`\n== ${nb}`);
    try {
      const r = await executeNotebook(path.join(paths.notebooks, nb), { outDir: reports, env, html: args.html, onLog: showProgress });
      timings.push({ notebook: nb, seconds: r.seconds });
      if (nb.startsWith('02') && !selected.some((n) => n.startsWith('03'))) dropStaleAverages(paths);
      console.log(`   done in ${formatDuration(r.seconds)} -> ${shortPath(r.executed)}${r.html ? `, ${shortPath(r.html)}` : ''}`);
    } catch (e) {
      if (process.stdout.isTTY) process.stdout.write('\n');
      const where = e instanceof NotebookError && e.executed ? ` (details: ${shortPath(e.executed)})` : '';
      const msg = e instanceof NotebookError ? `${nb}: ${e.evalue}` : (e as Error).message;
      report(new Error(msg), false, where);
      if (args.verbose && e instanceof NotebookError) console.error(e.details);
      if (e instanceof NotebookError && nb.startsWith('02') && TOO_FEW_FACES.test(e.evalue) && args.html) {
        const built = await noTypesReport(cfg.paths.data, reports, e.evalue);
        if (built) console.log(`   the preparation's outputs are in ${paths.processed}; report without types: ${shortPath(built)}`);
      }
      return EXIT.data;
    }
  }
  let built: string | null = null;
  if (args.html && selected.length === NOTEBOOKS.length) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { buildReport } = require('../report/build') as { buildReport?: (o: { dataDir: string; reportsDir: string }) => Promise<string> };
      if (buildReport) built = await buildReport({ dataDir: cfg.paths.data, reportsDir: reports });
    } catch (e) {
      report(new Error(`report: ${(e as Error).message}`), args.verbose);
      return EXIT.data;
    }
  }
  console.log(`\nDone in ${formatDuration((Date.now() - t0) / 1000)}.`);
  for (const t of timings) console.log(`  ${t.notebook.padEnd(28)} ${formatDuration(t.seconds)}`);
  console.log('Outputs:');
  console.log(`  faces       ${paths.faces}`);
  console.log(`  manifest    ${path.join(paths.processed, 'manifest.csv')}`);
  console.log(`  clusters    ${path.join(paths.processed, 'clusters.csv')}  and  ${paths.clusters}/`);
  console.log(`  averages    ${paths.averages}/`);
  console.log(`  notebooks   ${reports}/`);
  if (built) console.log(`  report      ${built}`);
  return EXIT.ok;
}

if (require.main === module) {
  const verbose = process.argv.includes('--verbose');
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    report(e, verbose);
    process.exit(EXIT.data);
  });
}

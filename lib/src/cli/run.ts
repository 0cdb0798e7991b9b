#!/usr/bin/env node
/**
 * `npm start` / `npm run demo`: the whole analysis headless, by executing the three notebooks in
 * order with the tslab kernel (so notebooks and command line cannot drift apart), then the report.
 *
 *   node lib/dist/cli/run.js [--source wiki|demo|<folder>] [--keep N] [--k 2..10|auto]
 *                            [--data <dir>] [--reports <dir>] [--only 01,02,03] [--no-html]
 *
 * Options may also come from FACETYPE_SOURCE, FACETYPE_KEEP, FACETYPE_K, FACETYPE_DATA,
 * FACETYPE_REPORTS. Progress of long steps is shown on the terminal while the notebooks run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectPaths, runConfig } from '../config';
import { executeNotebook, notebookSkipReason } from './jupyter';
import { PROGRESS_PREFIX, formatDuration } from '../runtime/progress';

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
}

function parseArgs(argv: string[]): Args {
  const args: Args = { html: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
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
      case '-h': case '--help': args.help = true; break;
      default: throw new Error(`unknown option ${a} (see --help)`);
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

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const env: Record<string, string> = {};
  if (args.source) env.FACETYPE_SOURCE = args.source;
  if (args.keep) env.FACETYPE_KEEP = args.keep;
  if (args.k) env.FACETYPE_K = args.k;
  if (args.data) env.FACETYPE_DATA = path.resolve(args.data);
  if (args.reports) env.FACETYPE_REPORTS = path.resolve(args.reports);
  Object.assign(process.env, env);
  let cfg;
  try {
    cfg = runConfig();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  const skip = notebookSkipReason();
  if (skip) {
    console.error(`error: cannot run the notebooks: ${skip}`);
    return 1;
  }
  const paths = projectPaths();
  const reports = paths.reports;
  fs.mkdirSync(reports, { recursive: true });
  // progress lines of long steps reach this terminal through the kernel's stderr
  env.FACETYPE_PROGRESS_STDERR = '1';
  console.log(`facetype: source ${cfg.source}, keep ${cfg.keep}, k ${cfg.k}, data ${cfg.paths.data}, ${cfg.workers} workers`);
  const selected = NOTEBOOKS.filter((n) => !args.only || args.only.some((o) => n.startsWith(o)));
  const timings: { notebook: string; seconds: number }[] = [];
  const t0 = Date.now();
  for (const nb of selected) {
    console.log(`\n== ${nb}`);
    try {
      const r = await executeNotebook(path.join(paths.notebooks, nb), { outDir: reports, env, html: args.html, onLog: showProgress });
      timings.push({ notebook: nb, seconds: r.seconds });
      console.log(`   done in ${formatDuration(r.seconds)} -> ${path.relative(process.cwd(), r.executed)}${r.html ? `, ${path.relative(process.cwd(), r.html)}` : ''}`);
    } catch (e) {
      console.error(`\n${(e as Error).message}\n\nStopped at ${nb}. Fix the cause and run again: finished steps are cached.`);
      return 1;
    }
  }
  let report: string | null = null;
  if (args.html && selected.length === NOTEBOOKS.length) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { buildReport } = require('../report/build') as { buildReport?: (o: { dataDir: string; reportsDir: string }) => Promise<string> };
      if (buildReport) report = await buildReport({ dataDir: cfg.paths.data, reportsDir: reports });
    } catch (e) {
      console.error(`report: ${(e as Error).message}`);
      return 1;
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
  if (report) console.log(`  report      ${report}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}

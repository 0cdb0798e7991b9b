/**
 * npm run bench: the whole `npm start` (the three notebooks headless, then the report) on
 * CelebA as a folder source (18,686 photos), from an empty data folder: wall time and peak RSS
 * (this process tree: launcher, Jupyter, kernels, workers) per stage. Target: under 8 minutes
 * on 2 cores. Prints figures; asserts nothing.
 *
 *   node build/scripts/bench-all.js [--images <folder>] [--keep-data]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot, runtime } from 'facetype';
import { celebaImages, machine, rssSampler } from './bench-common';

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-bench-all-'));
  const data = path.join(work, 'data');
  const reports = path.join(work, 'reports');
  console.log(`bench: npm start on ${images}\n  data ${data}\n  reports ${reports}`);
  const stages: { name: string; seconds: number; rss: number }[] = [];
  let current = 'start-up';
  let stageStart = Date.now();
  let sampler = rssSampler();
  const t0 = Date.now();
  const close = (next: string) => {
    stages.push({ name: current, seconds: (Date.now() - stageStart) / 1000, rss: sampler.stop() });
    current = next;
    stageStart = Date.now();
    sampler = rssSampler();
  };
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'lib', 'dist', 'cli', 'run.js'), '--source', images, '--data', data, '--reports', reports], { stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string) => {
      process.stdout.write(line + '\n');
      const m = /^== (\S+)\.ipynb/.exec(line);
      if (m) close(m[1]);
      if (/^\s+done in .*-> /.test(line) && current.startsWith('03')) close('report');
    };
    let buf = '';
    const take = (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (c) => resolve(c ?? 1));
  });
  close('end');
  const total = (Date.now() - t0) / 1000;
  console.log('\n== bench (npm start on CelebA)');
  console.log(`machine    ${machine()}`);
  for (const s of stages.filter((x) => x.name !== 'end')) console.log(`  ${s.name.padEnd(22)} ${runtime.formatDuration(s.seconds).padStart(8)}   peak RSS ${s.rss.toFixed(0)} MB`);
  console.log(`  ${'total'.padEnd(22)} ${runtime.formatDuration(total).padStart(8)}   exit code ${code}`);
  if (!process.argv.includes('--keep-data')) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  if (code !== 0) process.exit(code);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

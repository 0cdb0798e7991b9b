/**
 * Whole runs of the launcher as a user starts them (node lib/dist/cli/run.js), on the demo:
 * a second run on a held data folder refuses at once, kill -9 of a run leaves no process behind,
 * and the restart produces the same outputs as an uninterrupted run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io, projectRoot, runtime } from 'facetype';
import * as jupyter from 'facetype/dist/cli/jupyter';

const skip = jupyter.notebookSkipReason();
if (skip) console.log(`# skipping the launcher runs: ${skip}`);

const CLI = path.join(projectRoot(), 'lib', 'dist', 'cli', 'run.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let root = '';

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-runs-'));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  out: string[];
  done: Promise<{ code: number | null; seconds: number }>;
}

/** Starts the launcher on the demo (notebooks 01 and 02, no HTML) with its own data folder. */
function start(name: string, extra: string[] = []): Run {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, '--source', 'demo', '--data', path.join(root, name, 'data'), '--reports', path.join(root, name, 'reports'), '--only', '01,02', '--no-html', ...extra], {
    env: { ...process.env, FACETYPE_WORKERS: '1', FACETYPE_K: '', FACETYPE_KEEP: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout?.on('data', (d) => out.push(String(d)));
  child.stderr?.on('data', (d) => out.push(String(d)));
  const done = new Promise<{ code: number | null; seconds: number }>((resolve) => child.on('close', (code) => resolve({ code, seconds: (Date.now() - t0) / 1000 })));
  return { child, out, done };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Outputs that must not depend on how the run went (interrupted, restarted, raced). */
function outputs(name: string): Record<string, string> {
  const processed = path.join(root, name, 'data', 'processed');
  const files = ['faces.json', 'clusters.csv', 'clusters.json'];
  return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(processed, f), 'utf8')]));
}

test('a second run on a data folder a run holds refuses within 1 s with one line naming the holder, and the first run completes', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const first = start('a');
  const data = path.join(root, 'a', 'data');
  await waitFor('the first run to take the lock', () => io.lockStatus(data) !== null, 30_000);
  const second = start('a');
  const r2 = await second.done;
  const text = second.out.join('').trim();
  assert.equal(r2.code, 1, text);
  // 1 s, including Node's start; on a machine loaded far beyond its cores, 2 s (and said so)
  const load = os.loadavg()[0];
  const limit = load > 4 * os.cpus().length ? 2 : 1;
  if (limit > 1) console.log(`# load average ${load.toFixed(0)} on ${os.cpus().length} cores: allowing ${limit} s`);
  assert.ok(r2.seconds < limit, `the second run took ${r2.seconds} s to refuse`);
  assert.equal(text.split('\n').length, 1, text);
  assert.match(text, new RegExp(`^error: data folder .* is in use by another run: pid ${first.child.pid} since \\S+: npm start -- --source demo .*\\(lock .*\\)$`));
  const r1 = await first.done;
  assert.equal(r1.code, 0, first.out.join(''));
  assert.equal(io.lockStatus(data), null, 'the lock was not released');
  console.log(`# second run refused in ${r2.seconds.toFixed(2)} s; first run ${r1.seconds.toFixed(0)} s`);
});

test('kill -9 of a run ends its notebook kernel within 5 s, and the restart gives the outputs of an uninterrupted run', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const run = start('b');
  const pid = run.child.pid as number;
  // wait until the kernel runs a cell (the preparation's progress lines reach the launcher)
  await waitFor('the kernel to start working', () => /prepare|features/.test(run.out.join('')), 120_000);
  const table = runtime.processTable();
  const tree = table ? [...runtime.descendants(table, [pid])] : [];
  assert.ok(tree.length >= 2, `expected nbclient and the kernel below the launcher, found ${tree.length} processes`);
  process.kill(pid, 'SIGKILL');
  await run.done;
  const t0 = Date.now();
  while (tree.some(runtime.processRunning) && Date.now() - t0 < 5000) await sleep(100);
  const left = tree.filter(runtime.processRunning);
  for (const p of left) process.kill(p, 'SIGKILL');
  assert.deepEqual(left, [], 'processes of the killed run still running 5 s later');
  console.log(`# ${tree.length} processes of the killed run ended ${Date.now() - t0} ms after the kill`);

  const restart = start('b');
  const r = await restart.done;
  const log = restart.out.join('');
  assert.equal(r.code, 0, log);
  assert.match(log, /removed a stale lock of a run that is gone \(pid \d+ since /);
  assert.deepEqual(outputs('b'), outputs('a'), 'the restarted run differs from the uninterrupted one');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io } from 'facetype';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-lock-'));
/** A live process that holds a lock in a test (another run), killed at the test's end. */
const liveProcess = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });

/** A PID that is not running (a child that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('acquireLock() writes pid, start time and command; release() removes the lock; lockStatus() reads it', () => {
  const dir = tmp();
  try {
    assert.equal(io.lockStatus(dir), null);
    const lock = io.acquireLock(path.join(dir, 'data'), { command: 'npm start -- --source demo' });
    const status = io.lockStatus(path.join(dir, 'data'));
    assert.ok(status);
    assert.equal(status.alive, true);
    assert.equal(status.owner?.pid, process.pid);
    assert.equal(status.owner?.command, 'npm start -- --source demo');
    assert.ok(!Number.isNaN(Date.parse(status.owner?.since ?? '')));
    assert.equal(status.file, path.join(dir, 'data', io.LOCK_FILE));
    lock.release();
    lock.release();
    assert.equal(io.lockStatus(path.join(dir, 'data')), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('acquireLock() refuses a folder held by a live process, naming pid, since and command', () => {
  const dir = tmp();
  const holder = liveProcess();
  try {
    const first = io.acquireLock(dir, { pid: holder.pid, command: 'npm start -- --source demo' });
    assert.throws(() => io.acquireLock(dir, { command: 'second' }), (e: Error) => {
      assert.equal(e.name, 'LockedError');
      assert.match(e.message, new RegExp(`^data folder .* is in use by another run: pid ${holder.pid} since \\d{4}-\\d\\d-\\d\\dT[^ ]+: npm start -- --source demo \\(lock .*\\.facetype\\.lock\\)$`));
      assert.equal(e.message.includes('\n'), false);
      return true;
    });
    assert.equal(io.lockStatus(dir)?.owner?.pid, holder.pid, 'the refused run must not touch the lock');
    first.release();
  } finally {
    holder.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('acquireLock() recovers the stale lock of a dead process with a message', () => {
  const dir = tmp();
  try {
    const pid = deadPid();
    fs.writeFileSync(path.join(dir, io.LOCK_FILE), JSON.stringify({ pid, since: '2026-01-01T00:00:00.000Z', command: 'npm start', host: os.hostname() }));
    assert.equal(io.lockStatus(dir)?.alive, false);
    const messages: string[] = [];
    const lock = io.acquireLock(dir, { onMessage: (m) => messages.push(m) });
    assert.deepEqual(messages, [`removed a stale lock of a run that is gone (pid ${pid} since 2026-01-01T00:00:00.000Z: npm start)`]);
    assert.equal(io.lockStatus(dir)?.owner?.pid, process.pid);
    lock.release();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('acquireLock() is atomic: of 8 processes racing for one folder, exactly one wins', async () => {
  const dir = tmp();
  try {
    const lib = require.resolve('facetype');
    const script = `const { io } = require(${JSON.stringify(lib)});
      try { const l = io.acquireLock(${JSON.stringify(dir)}); console.log('won'); setTimeout(() => l.release(), 5000); }
      catch (e) { console.log(e.name); }`;
    const results = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolve(out.trim()));
    })));
    assert.equal(results.filter((r) => r === 'won').length, 1, results.join(','));
    assert.equal(results.filter((r) => r === 'LockedError').length, 7, results.join(','));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lockWarning() warns about another live run, not about the run executing this code or a stale lock', () => {
  const dir = tmp();
  const holder = liveProcess();
  try {
    assert.equal(io.lockWarning(dir), null);
    const own = io.acquireLock(dir); // held by this process: an ancestor of the notebook's kernel in a run
    assert.equal(io.lockWarning(dir), null);
    own.release();
    const other = io.acquireLock(dir, { pid: holder.pid, command: 'npm start -- --source demo' });
    assert.match(io.lockWarning(dir) ?? '', new RegExp(`^Warning: a run is writing into .* \\(pid ${holder.pid} since .*: npm start -- --source demo\\)`));
    other.release();
    fs.writeFileSync(path.join(dir, io.LOCK_FILE), JSON.stringify({ pid: deadPid(), since: 'x', command: 'gone' }));
    assert.equal(io.lockWarning(dir), null);
  } finally {
    holder.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

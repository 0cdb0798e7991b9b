/**
 * A lock per data folder, so two runs cannot write into the same folder at once.
 *
 *   const lock = acquireLock(dataDir, { command: 'npm start -- --source demo' });
 *   try { ... } finally { lock.release(); }
 *
 * The lock is a file `<data>/.facetype.lock` created atomically (O_EXCL) holding the owner's PID,
 * start time and command as JSON. A lock whose owner process is gone (kill -9, power loss) is
 * stale: the next acquireLock() removes it and says so through `onMessage`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOCK_FILE = '.facetype.lock';

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** The command line of the owner, as the user would type it. */
  command: string;
  /** Host name of the owner (a PID means nothing on another machine sharing the folder). */
  host?: string;
}

export interface LockStatus {
  /** Path of the lock file. */
  file: string;
  owner: LockOwner | null;
  /** True when the owner process is alive (on this host). */
  alive: boolean;
}

/** The folder is held by another live process. */
export class LockedError extends Error {
  readonly owner: LockOwner;
  readonly file: string;
  constructor(file: string, owner: LockOwner) {
    super(`data folder ${path.dirname(file)} is in use by another run: ${describeOwner(owner)} (lock ${file})`);
    this.name = 'LockedError';
    this.owner = owner;
    this.file = file;
  }
}

/** 'pid 1234 since 2026-12-01T03:40:00.000Z: npm start -- --source demo' */
export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} since ${owner.since}: ${owner.command || '(unknown command)'}`;
}

/** State letter and parent PID of a process from /proc (Linux), or null (no /proc, or no such process). */
export function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/**
 * True when a process with this PID is running (EPERM: it exists but belongs to someone else);
 * a zombie (ended, not yet reaped by its parent) counts as ended.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}

function readOwner(file: string): LockOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number') return { pid: 0, since: '?', command: `(unreadable lock: ${text.slice(0, 60)})` };
    return { pid: o.pid, since: String(o.since ?? '?'), command: String(o.command ?? ''), host: o.host };
  } catch {
    // a lock being written right now is empty for an instant: treat as held by an unknown owner
    return { pid: 0, since: '?', command: `(unreadable lock: ${JSON.stringify(text.slice(0, 60))})` };
  }
}

function hostName(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:os') as typeof import('node:os')).hostname();
}

/** Who holds the data folder's lock, and whether that process is alive; null when unlocked. */
export function lockStatus(dataDir: string): LockStatus | null {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  if (!fs.existsSync(file)) return null;
  const owner = readOwner(file);
  if (owner === null) return null;
  const otherHost = owner.host !== undefined && owner.host !== hostName();
  // pid 0: unreadable content; count as alive so that nobody deletes a lock being written
  const alive = otherHost || owner.pid === 0 || processAlive(owner.pid);
  return { file, owner, alive };
}

/** PIDs of this process and its ancestors (Linux /proc; elsewhere this process and its parent). */
export function ancestorPids(pid: number = process.pid): number[] {
  const out = [pid];
  if (pid === process.pid) out.push(process.ppid);
  let current = pid;
  for (let i = 0; i < 64; i++) {
    const ppid = procStat(current)?.ppid;
    if (ppid === undefined || !Number.isInteger(ppid) || ppid <= 1) break;
    if (!out.includes(ppid)) out.push(ppid);
    current = ppid;
  }
  return out;
}

/**
 * For a notebook opened by hand: a one-line warning when another live run holds the data folder
 * (null when it is free, when the lock is stale, or when the holder is the run executing this
 * notebook).
 */
export function lockWarning(dataDir: string): string | null {
  const s = lockStatus(dataDir);
  if (!s || !s.alive || !s.owner) return null;
  if (ancestorPids().includes(s.owner.pid)) return null;
  return `Warning: a run is writing into ${path.dirname(s.file)} (${describeOwner(s.owner)}); ` +
    'its outputs may change under this notebook. Wait for it to finish or use another FACETYPE_DATA.';
}

export interface AcquireOptions {
  /** The owner's command line, shown to whoever finds the folder locked. */
  command?: string;
  /** Receives notes such as the recovery of a stale lock. */
  onMessage?: (message: string) => void;
  /** PID recorded as owner (default: this process). */
  pid?: number;
}

export interface Lock {
  file: string;
  owner: LockOwner;
  /** Removes the lock if this process still owns it; safe to call more than once. */
  release(): void;
}

/**
 * Takes the data folder's lock (creating the folder if needed), or throws a LockedError naming
 * the live holder. A stale lock (dead owner on this host) is removed with a message.
 */
export function acquireLock(dataDir: string, options: AcquireOptions = {}): Lock {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    since: new Date().toISOString(),
    command: options.command ?? process.argv.slice(1).join(' '),
    host: hostName(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const status = lockStatus(dir);
      if (status === null) continue; // released between our open and our read: try again
      if (status.alive && status.owner) {
        if (status.owner.pid === 0 && attempt < 4) {
          sleepMs(50); // being written: read again
          continue;
        }
        throw new LockedError(file, status.owner);
      }
      // stale: rename first so that two recovering runs cannot both delete a fresh lock
      const aside = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, aside);
        fs.rmSync(aside, { force: true });
        options.onMessage?.(`removed a stale lock of a run that is gone (${status.owner ? describeOwner(status.owner) : 'unknown owner'})`);
      } catch {
        // someone else recovered it first
      }
      continue;
    }
    try {
      fs.writeSync(fd, JSON.stringify(owner) + '\n');
    } finally {
      fs.closeSync(fd);
    }
    let released = false;
    return {
      file,
      owner,
      release(): void {
        if (released) return;
        released = true;
        const current = readOwner(file);
        if (current && current.pid === owner.pid && current.since === owner.since) fs.rmSync(file, { force: true });
      },
    };
  }
  const status = lockStatus(dir);
  throw new LockedError(file, status?.owner ?? { pid: 0, since: '?', command: '(unknown)' });
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Ties the life of a process's whole tree to it: a small detached watchdog process records the
 * descendants of `parent` (nbconvert, the notebook kernel, which Jupyter starts in a session of
 * its own) and, as soon as `parent` is gone, however it ended (an error, a signal, kill -9),
 * terminates them: SIGTERM, then SIGKILL after a grace period. It then exits.
 *
 *   startWatchdog();   // in the launcher, before starting any child
 *
 * Process tables come from /proc (Linux) or `ps` (elsewhere).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { processAlive, procStat } from '../io/lock';

export const WATCHDOG_DEFAULTS = {
  /** Poll period, in ms. */
  intervalMs: 250,
  /** Time between SIGTERM and SIGKILL, in ms. */
  graceMs: 1500,
};

/** pid -> parent pid of every process (null when the table cannot be read). */
export function processTable(): Map<number, number> | null {
  const table = new Map<number, number>();
  let names: string[] | null = null;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    names = null;
  }
  if (names) {
    for (const n of names) {
      if (!/^\d+$/.test(n)) continue;
      const st = procStat(Number(n));
      if (st) table.set(Number(n), st.ppid); // null: exited meanwhile
    }
    return table;
  }
  const r = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  for (const line of r.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && Number.isInteger(ppid)) table.set(pid, ppid);
  }
  return table;
}

/** Every descendant of the given roots in a process table (not the roots themselves). */
export function descendants(table: Map<number, number>, roots: Iterable<number>): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    for (const c of children.get(stack.pop() as number) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

/** True when the process runs (not ended, not a zombie): see io/lock's processAlive. */
export const processRunning = processAlive;

const alive = processRunning;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * The watchdog's loop (runs in the detached process): follows `parent`'s tree until `parent` is
 * gone, then ends whatever of the tree is left. Resolves when done.
 */
export async function watch(parent: number, options: Partial<typeof WATCHDOG_DEFAULTS> = {}): Promise<number[]> {
  const opts = { ...WATCHDOG_DEFAULTS, ...options };
  const tracked = new Set<number>();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const self = process.pid;
  const refresh = (roots: Iterable<number>): void => {
    const table = processTable();
    if (!table) return;
    for (const p of descendants(table, roots)) if (p !== self) tracked.add(p);
    for (const p of [...tracked]) if (!table.has(p)) tracked.delete(p);
  };
  while (alive(parent)) {
    refresh([parent]);
    await sleep(opts.intervalMs);
  }
  // orphans may have started children since the last poll: take those too
  refresh(tracked);
  const victims = [...tracked].filter(alive);
  for (const p of victims) signal(p, 'SIGTERM');
  const deadline = Date.now() + opts.graceMs;
  while (Date.now() < deadline && victims.some(alive)) {
    refresh(victims);
    await sleep(100);
  }
  refresh(victims);
  for (const p of [...tracked].filter(alive)) signal(p, 'SIGKILL');
  return victims;
}

/**
 * Starts the detached watchdog of `parent` (default: this process) and returns its PID. It
 * costs one small Node process polling the process table a few times a second.
 */
export function startWatchdog(parent: number = process.pid): number {
  const child = spawn(process.execPath, [__filename, String(parent)], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid ?? 0;
}

if (require.main === module) {
  const parent = Number(process.argv[2]);
  if (!Number.isInteger(parent) || parent <= 1) process.exit(2);
  // the watchdog must outlive its parent's terminal: ignore the hang-up and interrupt it forwards
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);
  void watch(parent).then(() => process.exit(0));
}

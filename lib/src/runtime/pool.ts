/**
 * A pool of worker_threads, each with its own tfjs backend and models. WASM threads do not work
 * under Node, so parallelism comes from here: one worker per core by default.
 *
 * A task that throws is rejected with its message; a worker that dies (out of memory, WASM abort)
 * is replaced and only its in-flight task fails, so one bad photo never stops a run.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { integerInRange, InvalidParameterError } from '../validate';

/** Number of worker threads to use by default: one per core. */
export function defaultWorkers(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export interface PoolOptions {
  /** Number of worker threads (default: one per core). */
  workers?: number;
  /** Options passed to the handler's init in every worker. */
  init?: unknown;
  /** Receives a worker's one-time startup message (backend chosen, models loaded). */
  onReady?: (info: WorkerReady) => void;
}

export interface WorkerReady {
  worker: number;
  backend: string;
  ms: number;
}

interface Pending {
  id: number;
  payload: unknown;
  transfer: TransferListItem[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<void>;
  busy: Pending | null;
  dead: boolean;
}

/** Error thrown when a worker dies while running a task. */
export class WorkerCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

export class WorkerPool<TIn = unknown, TOut = unknown> {
  readonly size: number;
  private readonly module: string;
  private readonly options: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * `module`: absolute path of a compiled module that exports `handler: TaskHandler` (worker.ts);
   * every worker thread loads it and calls its `init(options.init)` once.
   */
  constructor(module: string, options: PoolOptions = {}) {
    if (typeof module !== 'string' || !path.isAbsolute(module)) {
      throw new InvalidParameterError('module', 'the absolute path of a worker handler module', module);
    }
    this.module = module;
    this.options = options;
    this.size = integerInRange('workers', options.workers ?? defaultWorkers(), 1, 64);
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn(i));
  }

  /** Resolves when every worker has loaded its backend and models (rejects if one cannot). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Runs one task on the next free worker; `urgent` tasks go before those already waiting. */
  run(payload: TIn, transfer: TransferListItem[] = [], urgent = false): Promise<TOut> {
    if (this.closed) return Promise.reject(new Error('WorkerPool.run() called after close()'));
    return new Promise<TOut>((resolve, reject) => {
      const task = { id: this.nextId++, payload, transfer, resolve: resolve as (v: unknown) => void, reject };
      if (urgent) this.queue.unshift(task);
      else this.queue.push(task);
      this.pump();
    });
  }

  /** Number of tasks waiting for a worker. */
  get pending(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('WorkerPool closed'));
    await Promise.all(this.slots.map(async (s) => {
      s.dead = true;
      await s.worker.terminate();
    }));
  }

  private spawn(index: number): Slot {
    const worker = new Worker(WORKER_SCRIPT, {
      workerData: { module: this.module, init: this.options.init ?? null, index },
      // each worker decodes images and holds a model set: give the heap room
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    ready.catch(() => undefined);
    const slot: Slot = { index, worker, ready, busy: null, dead: false };
    let isReady = false;
    worker.on('message', (msg: { type: string; id?: number; result?: unknown; error?: string; backend?: string; ms?: number }) => {
      if (msg.type === 'ready') {
        isReady = true;
        this.options.onReady?.({ worker: index, backend: msg.backend ?? '?', ms: msg.ms ?? 0 });
        markReady();
        this.pump();
      } else if (msg.type === 'init-error') {
        failReady(new Error(`worker ${index} could not start: ${msg.error}`));
        for (const p of this.queue.splice(0)) p.reject(new Error(`worker ${index} could not start: ${msg.error}`));
      } else if (msg.type === 'result' || msg.type === 'error') {
        const task = slot.busy;
        slot.busy = null;
        if (task && task.id === msg.id) {
          if (msg.type === 'result') task.resolve(msg.result);
          else task.reject(new Error(msg.error ?? 'unknown worker error'));
        }
        this.pump();
      }
    });
    const onDeath = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      const task = slot.busy;
      slot.busy = null;
      if (!isReady) {
        failReady(new Error(`worker ${index} exited during start-up: ${why}`));
        for (const p of this.queue.splice(0)) p.reject(new Error(`worker ${index} exited during start-up: ${why}`));
        return;
      }
      if (task) task.reject(new WorkerCrashError(`worker crashed while processing this item: ${why}`));
      if (!this.closed) {
        // replace the dead worker and carry on
        this.slots[index] = this.spawn(index);
      }
    };
    worker.on('error', (err) => onDeath(err.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.dead || slot.busy) continue;
      // only dispatch to workers that finished start-up
      void slot.ready.then(() => this.dispatch(slot), () => undefined);
    }
  }

  private dispatch(slot: Slot): void {
    if (slot.dead || slot.busy || this.queue.length === 0) return;
    const task = this.queue.shift()!;
    slot.busy = task;
    slot.worker.postMessage({ type: 'task', id: task.id, payload: task.payload }, task.transfer);
  }
}

/**
 * Runs `items` through the pool keeping every worker busy, calling `onResult` in completion
 * order. Returns when all are done. At most `window` tasks are in flight (bounds memory).
 */
export async function runAll<TItem, TIn, TOut>(
  pool: WorkerPool<TIn, TOut>,
  items: Iterable<TItem> | AsyncIterable<TItem>,
  toTask: (item: TItem) => TIn | Promise<TIn>,
  onResult: (item: TItem, result: TOut | null, error: Error | null) => void | Promise<void>,
  window = pool.size * 4,
): Promise<void> {
  const inflight = new Set<Promise<void>>();
  for await (const item of items as AsyncIterable<TItem>) {
    const p: Promise<void> = (async () => {
      let result: TOut | null = null;
      let error: Error | null = null;
      try {
        result = await pool.run(await toTask(item));
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      await onResult(item, result, error);
    })().finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= window) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

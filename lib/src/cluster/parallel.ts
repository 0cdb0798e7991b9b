/**
 * Runs the independent pieces of the K analysis (one K-Means restart, one bootstrap fit, one
 * share of the euclidean silhouette pass) on worker threads that share the data through a
 * SharedArrayBuffer. Every piece has its own seed, so results are identical to running them in
 * this thread, in any order, with any number of workers (workers: 1 runs them inline).
 */
import { WorkerPool, defaultWorkers } from '../runtime/pool';
import { type KMeansRun, type ResolvedKMeansOptions, absoluteTolerance, kmeansRestart } from './kmeans';
import { sqNorms } from './kernels';
import { euclideanPairSums } from './metrics';
import { bindGram, wasmKernelsEnabled } from './wasm';

/** A K-Means fit: restarts [r0, r1) of the given options, on all rows or on `subset`; the best run is returned. */
export interface KMeansTask {
  type: 'kmeans';
  k: number;
  seed: number;
  r0: number;
  r1: number;
  maxIter: number;
  tol: number;
  algorithm: 'hamerly' | 'lloyd';
  /** Row indices (bootstrap sample) and a key to cache the sub-matrix under. */
  subset?: Int32Array;
  subsetKey?: string;
}

/** A share of the euclidean silhouette sums (block rows b % parts === part). */
export interface PairSumsTask {
  type: 'pairsums';
  col: Int32Array;
  L: number;
  stride: number;
  parts: number;
  part: number;
}

export type WorkerTask = KMeansTask | PairSumsTask;
export type TaskResult = KMeansRun | Float64Array;

/** What every cluster worker starts with: the data matrix in shared memory (not copied). */
export interface ClusterWorkerInit {
  buffer: SharedArrayBuffer;
  n: number;
  d: number;
  /** The caller's useWasmKernels setting. */
  wasm: boolean;
}

export interface TaskContext {
  data: Float64Array;
  n: number;
  d: number;
  cache: Map<string, { data: Float64Array; n: number; xn: Float64Array; tolAbs: Map<number, number> }>;
}

function view(ctx: TaskContext, subset: Int32Array | undefined, key: string | undefined) {
  const k = subset ? key ?? 'subset' : '';
  let v = ctx.cache.get(k);
  if (!v) {
    let data = ctx.data, n = ctx.n;
    if (subset) {
      n = subset.length;
      data = new Float64Array(n * ctx.d);
      for (let t = 0; t < n; t++) data.set(ctx.data.subarray(subset[t] * ctx.d, subset[t] * ctx.d + ctx.d), t * ctx.d);
    }
    v = { data, n, xn: sqNorms(data, n, ctx.d), tolAbs: new Map() };
    // a few sub-matrices at most (bootstrap tasks come subset by subset)
    if (ctx.cache.size >= 4) ctx.cache.delete(ctx.cache.keys().next().value as string);
    ctx.cache.set(k, v);
  }
  return v;
}

/** Runs one task (in a worker or inline). */
export function handleTask(ctx: TaskContext, task: WorkerTask): { result: TaskResult; transfer: ArrayBuffer[] } {
  if (task.type === 'pairsums') {
    const sums = euclideanPairSums(ctx.data, ctx.n, ctx.d, task.col, task.L, task.stride, task.parts, task.part);
    return { result: sums, transfer: [sums.buffer as ArrayBuffer] };
  }
  const v = view(ctx, task.subset, task.subsetKey);
  bindGram(v.data, v.n, ctx.d, true);
  let tolAbs = v.tolAbs.get(task.tol);
  if (tolAbs === undefined) { tolAbs = absoluteTolerance(v.data, v.n, ctx.d, task.tol); v.tolAbs.set(task.tol, tolAbs); }
  const o: ResolvedKMeansOptions = {
    k: task.k, nInit: task.r1 - task.r0, maxIter: task.maxIter, tol: task.tol, seed: task.seed,
    init: 'k-means++', algorithm: task.algorithm,
  };
  let best: KMeansRun | null = null;
  for (let r = task.r0; r < task.r1; r++) {
    const run = kmeansRestart(v.data, v.n, ctx.d, o, r, tolAbs, v.xn);
    if (best === null || run.inertia < best.inertia) best = run;
  }
  return { result: best!, transfer: [best!.labels.buffer as ArrayBuffer, best!.centroids.buffer as ArrayBuffer] };
}

/** Number of workers for `workers: 0` (auto): one per core, at most 4. */
export function autoWorkers(): number {
  return Math.max(1, Math.min(4, defaultWorkers()));
}

/** Worker threads (the runtime's pool, running kmeans-worker.js) sharing one data matrix. */
export class ClusterWorkers {
  readonly size: number;
  private readonly ctx: TaskContext;
  private readonly pool: WorkerPool<WorkerTask, TaskResult> | null = null;

  /** `size` 1 runs every task inline (no thread). */
  constructor(data: Float64Array, n: number, d: number, size: number) {
    this.size = size;
    const shared = new SharedArrayBuffer(n * d * 8);
    const view = new Float64Array(shared);
    view.set(data.subarray(0, n * d));
    this.ctx = { data: view, n, d, cache: new Map() };
    if (size <= 1) return;
    const init: ClusterWorkerInit = { buffer: shared, n, d, wasm: wasmKernelsEnabled() };
    this.pool = new WorkerPool<WorkerTask, TaskResult>(require.resolve('./kmeans-worker'), { workers: size, init });
  }

  /** Queues a task; `urgent` tasks go before those already waiting. */
  run(task: WorkerTask, urgent = false): Promise<TaskResult> {
    let p: Promise<TaskResult>;
    if (!this.pool) {
      try {
        p = Promise.resolve(handleTask(this.ctx, task).result);
      } catch (e) {
        p = Promise.reject(e);
      }
    } else {
      p = this.pool.run(task, [], urgent);
    }
    // a failure is reported where the result is awaited; never as an unhandled rejection
    // (tasks queued behind a failed one may never be awaited)
    p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

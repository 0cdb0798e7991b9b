/**
 * The K-Means task handler of bench-pool.ts as a piscina / tinypool worker module: the same
 * `handleTask` as our pool's worker, on the data shared through `workerData` (no copy).
 */
import { workerData } from 'node:worker_threads';
import { handleTask, type TaskContext, type WorkerTask } from 'facetype/dist/cluster/parallel';

let ctx: TaskContext | null = null;

function context(): TaskContext {
  if (ctx === null) {
    // piscina nests the caller's workerData; tinypool passes it as is
    const wd = (workerData as { buffer?: SharedArrayBuffer }).buffer !== undefined
      ? workerData
      : (workerData as unknown[]).find((x) => (x as { buffer?: unknown })?.buffer !== undefined);
    const { buffer, n, d } = wd as { buffer: SharedArrayBuffer; n: number; d: number };
    ctx = { data: new Float64Array(buffer), n, d, cache: new Map() };
  }
  return ctx;
}

export default function run(task: WorkerTask): unknown {
  return handleTask(context(), task).result;
}

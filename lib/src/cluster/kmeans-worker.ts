/**
 * Worker handler of the K analysis (see parallel.ts), run by the runtime's worker pool: holds the
 * data (shared memory, not copied) and runs K-Means restarts, bootstrap fits and shares of the
 * euclidean silhouette pass.
 */
import type { TaskHandler } from '../runtime/worker';
import { handleTask, type ClusterWorkerInit, type TaskContext, type WorkerTask } from './parallel';
import { useWasmKernels } from './wasm';

let ctx: TaskContext | null = null;

export const handler: TaskHandler = {
  async init(options: unknown): Promise<string> {
    const { buffer, n, d, wasm } = options as ClusterWorkerInit;
    useWasmKernels(wasm);
    ctx = { data: new Float64Array(buffer), n, d, cache: new Map() };
    return 'cluster kernels';
  },
  async run(payload: unknown) {
    if (!ctx) throw new Error('cluster worker not initialised');
    return handleTask(ctx, payload as WorkerTask);
  },
};

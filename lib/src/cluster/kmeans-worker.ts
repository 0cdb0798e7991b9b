/**
 * Worker thread of the cluster stage (see parallel.ts): holds the data (shared memory, not
 * copied) and runs K-Means restarts, bootstrap fits and shares of the euclidean silhouette pass.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { handleTask, type TaskContext, type WorkerTask } from './parallel';

const port = parentPort;
if (port) {
  const { buffer, n, d } = workerData as { buffer: SharedArrayBuffer; n: number; d: number };
  const ctx: TaskContext = { data: new Float64Array(buffer), n, d, cache: new Map() };
  port.on('message', (msg: { id: number; task: WorkerTask }) => {
    try {
      const { result, transfer } = handleTask(ctx, msg.task);
      port.postMessage({ id: msg.id, result }, transfer);
    } catch (e) {
      port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

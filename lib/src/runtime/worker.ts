/**
 * Worker thread entry. Loads one task handler module (the path the pool was given; the module
 * exports `handler: TaskHandler`), lets it load its backend and models, then answers tasks.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface TaskHandler {
  /** Loads backend and models; returns a one-line description of the backend. */
  init(options: unknown): Promise<string>;
  /** Runs one task. Returns the result and the buffers to transfer back. */
  run(payload: unknown): Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.js must run in a worker thread');
  const { module, init } = workerData as { module: string; init: unknown; index: number };
  const t0 = performance.now();
  let handler: TaskHandler;
  let backend: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(module) as { handler?: TaskHandler }).handler as TaskHandler;
    if (!handler || typeof handler.init !== 'function' || typeof handler.run !== 'function') {
      throw new Error(`${module} does not export handler: { init, run }`);
    }
    backend = await handler.init(init);
  } catch (e) {
    port.postMessage({ type: 'init-error', error: e instanceof Error ? e.message : String(e) });
    return;
  }
  port.postMessage({ type: 'ready', backend, ms: performance.now() - t0 });
  port.on('message', (msg: { type: string; id: number; payload: unknown }) => {
    if (msg.type !== 'task') return;
    handler.run(msg.payload).then(
      ({ result, transfer }) => port.postMessage({ type: 'result', id: msg.id, result }, transfer ?? []),
      (e: unknown) => port.postMessage({ type: 'error', id: msg.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

void main();

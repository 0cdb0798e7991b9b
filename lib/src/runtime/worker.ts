/**
 * Worker thread entry. Loads one task handler (its backend and models) and answers tasks.
 * Handlers are modules exporting `init(options)` and `run(payload)`; see handlers below.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HandlerName } from './pool';

export interface TaskHandler {
  /** Loads backend and models; returns a one-line description of the backend. */
  init(options: unknown): Promise<string>;
  /** Runs one task. Returns the result and the buffers to transfer back. */
  run(payload: unknown): Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;
}

const HANDLERS: Record<HandlerName, () => TaskHandler> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  prepare: () => require('../faces/prepare-worker').handler as TaskHandler,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  features: () => require('../features/features-worker').handler as TaskHandler,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  average: () => require('../average/average-worker').handler as TaskHandler,
  echo: () => ({
    init: async () => 'echo',
    run: async (payload: unknown) => {
      const p = payload as { crash?: boolean; fail?: string; delayMs?: number; value?: unknown };
      if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
      if (p.crash) process.exit(3);
      if (p.fail) throw new Error(p.fail);
      return { result: p.value };
    },
  }),
};

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.js must run in a worker thread');
  const { handler: name, init } = workerData as { handler: HandlerName; init: unknown; index: number };
  const t0 = performance.now();
  let handler: TaskHandler;
  let backend: string;
  try {
    handler = HANDLERS[name]();
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

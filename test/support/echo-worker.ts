/** A worker handler for the pool's tests: echoes, fails, waits or crashes on demand. */
import type { TaskHandler } from 'facetype/dist/runtime/worker';

export const handler: TaskHandler = {
  init: async () => 'echo',
  run: async (payload: unknown) => {
    const p = payload as { crash?: boolean; fail?: string; delayMs?: number; value?: unknown };
    if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
    if (p.crash) process.exit(3);
    if (p.fail) throw new Error(p.fail);
    return { result: p.value };
  },
};

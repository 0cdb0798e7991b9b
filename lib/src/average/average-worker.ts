import type { TaskHandler } from '../runtime/worker';
export const handler: TaskHandler = {
  init: async () => { throw new Error('not yet implemented'); },
  run: async () => { throw new Error('not yet implemented'); },
};

/**
 * Worker-thread handler 'average': `init` receives an AccumulatorSetup (the target meshes and
 * masks of one averaging run) and prepares the warp maps once; each task is a chunk of faces
 * ({ faces: ChunkFace[] }) that the worker decodes, warps and sums, returning the chunk's sums
 * (their buffers transferred, not copied). The main thread adds the chunks up.
 */
import type { TaskHandler } from '../runtime/worker';
import { Accumulator, type AccumulatorSetup, type ChunkFace } from './accumulate';

let accumulator: Accumulator | null = null;

export const handler: TaskHandler = {
  init: async (options: unknown) => {
    accumulator = new Accumulator(options as AccumulatorSetup);
    return 'js (piecewise-affine warp)';
  },
  run: async (payload: unknown) => {
    if (!accumulator) throw new Error('average worker: run() before init()');
    const { faces } = payload as { faces: ChunkFace[] };
    const result = await accumulator.addChunk(faces);
    const transfer = [...result.warp, ...result.pixel].flatMap((s) => [s.sum, ...(s.weight ? [s.weight] : [])].map((a) => a.buffer as ArrayBuffer));
    return { result, transfer };
  },
};

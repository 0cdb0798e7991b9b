/**
 * Pass 2 of averageFaces(): the images, each decoded once, in chunks of `chunkSize` faces,
 * summed by an Accumulator (accumulate.ts) in this thread (`workers: 0`) or on a worker_threads
 * pool ('average' handler, average-worker.ts). Each face is warped to its group's target AND to
 * the global one and its unwarped crop summed for the pixel mean; each chunk returns its sums and
 * this thread adds them up. Memory stays O(image size x groups), never all images.
 */
import { runAll, WorkerCrashError, WorkerPool } from '../runtime/pool';
import { Accumulator, type AccumulatorSetup, type ChunkFace, type ChunkSums } from './accumulate';
import type { ResolvedOptions } from './options';
import { readFace, type Entry, type Shapes } from './shape-pass';
import type { SkipTally } from './skips';
import type { Target } from './targets';
import type { FaceInput, RgbImage } from './types';

/** Running sums of one target: RGB (size x size x 3), and the summed weights per pixel. */
export interface Sums {
  sum: Float64Array;
  /** Summed weights per pixel (empty without weighted accumulation). */
  weight: Float64Array;
  count: number;
}

/** The sums of pass 2, index = target (0: all faces, g + 1: group g). */
export interface ImageSums {
  /** Warped: every face in its group's target and in target 0. */
  warp: Sums[];
  /** Unwarped: every face in ONE target, its group's (or 0 without a group); empty sums without pixelMean. */
  pixel: Sums[];
}

/** Pass 2: the images of the faces pass 1 kept, summed per target. */
export async function accumulateImages(o: ResolvedOptions, shapes: Shapes, targets: Target[], warnings: string[]): Promise<ImageSums> {
  const globalMesh = targets[0].mesh;
  const setup: AccumulatorSetup = {
    cropSize: o.cropSize,
    size: o.size,
    layout: {
      landmarkCount: globalMesh.landmarkCount,
      ringIndices: globalMesh.ringIndices,
      ringScale: globalMesh.ringScale,
      borderPoints: globalMesh.borderPoints,
    },
    targets: targets.map((t) => ({ points: t.mesh.points, triangles: t.mesh.triangles, alpha: t.mask })),
    pixelMean: o.pixelMean,
    weighted: shapes.weighted,
  };
  const total = shapes.sums.get(-1)!.count;
  const sums = new RunningSums(o, targets.length, shapes.weighted, total, shapes.skips);
  if (o.workers === 0) {
    const acc = new Accumulator(setup);
    for await (const chunk of chunks(o, shapes)) sums.merge(await acc.addChunk(chunk), chunk);
  } else {
    // no more workers than chunks (a small run does not start idle threads)
    const poolSize = Math.max(1, Math.min(o.workers, Math.ceil(total / o.chunkSize)));
    const pool = new WorkerPool<{ faces: ChunkFace[] }, ChunkSums>(require.resolve('./average-worker'), { workers: poolSize, init: setup });
    try {
      await pool.ready();
      const onResult = (chunk: ChunkFace[], result: ChunkSums | null, error: Error | null) => {
        if (result) sums.merge(result, chunk);
        else warnings.push(sums.fail(chunk, error));
      };
      await runAll(pool, chunks(o, shapes), (chunk) => ({ faces: chunk }), onResult, pool.size * 2);
    } finally {
      await pool.close();
    }
  }
  return { warp: sums.warp, pixel: sums.pixel };
}

/** The sums so far, the faces done (for onProgress) and the skips of pass 2. */
class RunningSums {
  readonly warp: Sums[];
  readonly pixel: Sums[];
  private done = 0;

  constructor(
    private readonly o: ResolvedOptions,
    targets: number,
    weighted: boolean,
    private readonly total: number,
    private readonly skips: SkipTally,
  ) {
    const plane = o.size * o.size * 3;
    const area = weighted ? o.size * o.size : 0;
    this.warp = Array.from({ length: targets }, () => ({ sum: new Float64Array(plane), weight: new Float64Array(area), count: 0 }));
    const pixelPlane = o.pixelMean ? plane : 0;
    const pixelArea = o.pixelMean ? area : 0;
    this.pixel = Array.from({ length: targets }, () => ({ sum: new Float64Array(pixelPlane), weight: new Float64Array(pixelArea), count: 0 }));
  }

  /** Adds a chunk's sums and skips. */
  merge(r: ChunkSums, chunk: readonly ChunkFace[]): void {
    for (const s of r.warp) addSums(this.warp[s.target], s);
    for (const s of r.pixel) addSums(this.pixel[s.target], s);
    for (const k of r.skipped) this.skips.add(k.reason, k.group);
    this.done += chunk.length;
    this.o.onProgress?.({ phase: 'warp', done: this.done, total: this.total });
  }

  /** A chunk whose worker failed: its faces are skipped; returns the warning. */
  fail(chunk: readonly ChunkFace[], error: Error | null): string {
    for (const f of chunk) this.skips.add('worker-crash', f.group);
    const kind = error instanceof WorkerCrashError ? 'crashed' : 'failed';
    this.done += chunk.length;
    return `a worker ${kind} on a chunk of ${chunk.length} faces (skipped): ${error?.message ?? 'unknown error'}`;
  }
}

/** Adds sums (a chunk's, or another target's) into running sums. */
export function addSums(acc: Sums, s: { sum: Float64Array; weight: Float64Array | null; count: number }): void {
  for (let i = 0; i < acc.sum.length; i++) acc.sum[i] += s.sum[i];
  if (s.weight) for (let i = 0; i < acc.weight.length; i++) acc.weight[i] += s.weight[i];
  acc.count += s.count;
}

/**
 * The faces pass 1 kept, in chunks: read again (and re-checked with pass 1's verdicts, whose
 * skips are counted already) when the source is re-iterable, else from pass 1's buffer.
 */
async function* chunks(o: ResolvedOptions, shapes: Shapes): AsyncGenerator<ChunkFace[]> {
  let chunk: ChunkFace[] = [];
  const source: AsyncIterable<FaceInput> | Iterable<Entry> = o.reiterable ? (o.open() as AsyncIterable<FaceInput>) : shapes.buffered;
  for await (const item of source as AsyncIterable<FaceInput | Entry>) {
    let e: Entry;
    if (o.reiterable) {
      const r = readFace(item as FaceInput, o.fixedGroups, o.person);
      if (typeof r === 'string' || shapes.check(r.points)) continue;
      e = r;
    } else e = item as Entry;
    chunk.push({ image: compact(e.image), points: e.points, group: e.group, weights: e.weights });
    if (chunk.length >= o.chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Raw pixels that are a view into a larger buffer are copied, so a worker gets only them. */
function compact(img: string | RgbImage): string | RgbImage {
  if (typeof img === 'string' || !(img.data instanceof Uint8Array) || img.data.byteLength === img.data.buffer.byteLength) return img;
  return { ...img, data: img.data.slice() };
}

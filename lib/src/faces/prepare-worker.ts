/**
 * Worker-side handler of the preparation: one FaceDetector (BlazeFace + FaceMesh, on onnxruntime-node
 * or the tfjs backend) per worker thread; each task measures a small batch of photos (see measure.ts).
 */
import sharp from 'sharp';
import { describeBackend, lazyTfjs, tfjsStarted, type BackendOptions } from '../runtime/backend';
import type { TaskHandler } from '../runtime/worker';
import { FaceDetector, type DetectorOptions } from './detector';
import { measurePhotos, type MeasureTask } from './measure';

let detector: FaceDetector | null = null;

/** What every preparation worker is started with. */
export interface PrepareWorkerInit {
  detector: Partial<DetectorOptions>;
  backend: BackendOptions;
}

export const handler: TaskHandler = {
  async init(options: unknown): Promise<string> {
    // one libvips thread per worker: parallelism comes from the workers
    sharp.concurrency(1);
    sharp.cache(false);
    const init = (options ?? { detector: {}, backend: {} }) as PrepareWorkerInit;
    // tfjs starts only when the networks fall back to it (no ONNX runtime or FACETYPE_ONNX=off)
    detector = await FaceDetector.load(lazyTfjs(init.backend), init.detector, init.backend);
    const info = tfjsStarted();
    const nets = detector.runtime === 'tfjs' ? '' : `; BlazeFace + FaceMesh on ${detector.runtime}`;
    return (info ? describeBackend(info) : 'tfjs not started') + nets;
  },
  async run(payload: unknown) {
    if (!detector) throw new Error('prepare worker not initialised');
    const records = await measurePhotos(detector, payload as MeasureTask[]);
    return { result: records };
  },
};

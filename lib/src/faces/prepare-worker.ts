/**
 * Worker-side handler of the preparation: one FaceDetector (BlazeFace + FaceMesh, on onnxruntime-node
 * or the tfjs backend) per worker thread; each task measures a small batch of photos (see measure.ts).
 */
import sharp from 'sharp';
import { describeBackend, initBackend, type BackendOptions } from '../runtime/backend';
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
    const { tf, info } = await initBackend(init.backend);
    detector = await FaceDetector.load(tf, init.detector, init.backend);
    const nets = detector.runtime === 'tfjs' ? '' : `; BlazeFace + FaceMesh on ${detector.runtime}`;
    return describeBackend(info) + nets;
  },
  async run(payload: unknown) {
    if (!detector) throw new Error('prepare worker not initialised');
    const records = await measurePhotos(detector, payload as MeasureTask[]);
    return { result: records };
  },
};

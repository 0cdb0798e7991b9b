/**
 * Worker-side handler of the features stage: face-api's nets on one tfjs backend per worker;
 * each task is a batch of aligned crops with their 68 landmarks, or `{ segment }`: person masks
 * of crops (faces/segment.ts; init `{ segment: model, faceNets: false }` loads only that net).
 */
import sharp from 'sharp';
import { describeBackend, initBackend, type BackendOptions } from '../runtime/backend';
import type { TaskHandler } from '../runtime/worker';
import { PersonSegmenter, segmentCrops, type SegmentModel, type SegmentTask } from '../faces/segment';
import { FaceNets, readCrop } from './nets';
import { LANDMARK68_VALUES } from '../faces/landmarks';

let nets: FaceNets | null = null;
let segmenter: PersonSegmenter | null = null;

export interface FeatureWorkerInit extends BackendOptions {
  /** Load face-api's nets (default true). */
  faceNets?: boolean;
  /** Also load this person segmentation net. */
  segment?: SegmentModel;
}

export interface FeatureTask {
  files: string[];
  /** B x LANDMARK68_VALUES landmark coordinates (crop pixels). */
  landmarks: Float32Array;
}

export const handler: TaskHandler = {
  async init(options: unknown): Promise<string> {
    sharp.concurrency(1);
    sharp.cache(false);
    const o = (options ?? {}) as FeatureWorkerInit;
    const { tf, info } = await initBackend(o);
    if (o.faceNets !== false) nets = await FaceNets.load(tf, info.name);
    if (o.segment) segmenter = await PersonSegmenter.load(tf, o.segment);
    return describeBackend(info);
  },
  async run(payload: unknown) {
    const segment = (payload as { segment?: SegmentTask }).segment;
    if (segment) {
      if (!segmenter) throw new Error('features worker: no segmentation net loaded (init { segment })');
      return { result: await segmentCrops(segmenter, segment) };
    }
    if (!nets) throw new Error('features worker not initialised');
    const task = payload as FeatureTask;
    const images = await Promise.all(task.files.map((f) => readCrop(f)));
    const lms = task.files.map((_, i) => task.landmarks.subarray(i * LANDMARK68_VALUES, (i + 1) * LANDMARK68_VALUES));
    const out = await nets.run(images, lms);
    return { result: out, transfer: [out.descriptors.buffer as ArrayBuffer, out.attributes.buffer as ArrayBuffer] };
  },
};

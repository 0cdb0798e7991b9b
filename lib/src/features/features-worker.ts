/**
 * Worker-side handler of the features stage: face-api's nets (onnxruntime-node or tfjs, nets.ts) per worker;
 * each task is a batch of aligned crops with their 68 landmarks and 468 mesh points; besides the
 * nets' outputs it measures each face's attributes (attributes.ts) on the crop already decoded.
 * Or `{ segment }`: person masks of crops (faces/segment.ts; init `{ segment: model, faceNets:
 * false }` loads only that net). tfjs (WASM) is started only for a net that falls back to it.
 */
import sharp from 'sharp';
import { describeBackend, lazyTfjs, tfjsStarted, type BackendOptions } from '../runtime/backend';
import type { TaskHandler } from '../runtime/worker';
import { PersonSegmenter, segmentCrops, type SegmentModel, type SegmentTask } from '../faces/segment';
import { FaceNets, readCrop, type FeatureBatch } from './nets';
import { LANDMARK68_VALUES, MESH468_VALUES } from '../faces/landmarks';
import { MEASURE_DIM, measureAttributes } from './attributes';

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
  /** B x MESH468_VALUES mesh coordinates (crop pixels); without them no attributes are measured. */
  mesh?: Float32Array;
}

export interface FeatureResult extends FeatureBatch {
  /** B x MEASURE_DIM attribute measures (attributes.ts); empty when the task had no mesh. */
  measures: Float32Array;
}

export const handler: TaskHandler = {
  async init(options: unknown): Promise<string> {
    sharp.concurrency(1);
    sharp.cache(false);
    const o = (options ?? {}) as FeatureWorkerInit;
    // tfjs starts only when a net falls back to it (no ONNX runtime, FACETYPE_ONNX=off, or rvm)
    const tf = lazyTfjs(o);
    if (o.faceNets !== false) nets = await FaceNets.load(tf, undefined, o);
    if (o.segment) segmenter = await PersonSegmenter.load(tf, o.segment, o);
    const info = tfjsStarted();
    const parts = [info ? describeBackend(info) : 'tfjs not started (every net on onnxruntime-node)'];
    if (nets) parts.push(nets.runtime);
    if (segmenter) parts.push(`${segmenter.name} segmentation on ${segmenter.runtime}`);
    return parts.join('; ');
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
    const M = MESH468_VALUES;
    const mesh = task.mesh;
    const measures = new Float32Array(mesh ? images.length * MEASURE_DIM : 0);
    if (mesh) images.forEach((img, i) => measures.set(measureAttributes(img, mesh.subarray(i * M, (i + 1) * M)), i * MEASURE_DIM));
    const result: FeatureResult = { ...out, measures };
    return { result, transfer: [out.descriptors.buffer as ArrayBuffer, out.attributes.buffer as ArrayBuffer, measures.buffer as ArrayBuffer] };
  },
};

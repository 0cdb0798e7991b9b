/**
 * Person masks of the kept faces (faces/segment.ts), computed in the features worker pool (one
 * tfjs backend per worker thread) as part of the features stage, and cached as grey PNGs in
 * data/interim/masks-<model>-v<N>/, one per crop. A mask older than its crop is recomputed; an
 * existing one is reused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { maskPath, type SegmentModel, type SegmentTask, type SegmentTaskResult } from '../faces/segment';
import type { FeatureWorkerInit } from '../features/features-worker';
import type { BackendOptions } from '../runtime/backend';
import { WorkerPool, runAll } from '../runtime/pool';
import { ProgressTracker, printProgress, type ProgressCallback } from '../runtime/progress';
import { integerInRange, withDefaults } from '../validate';

export interface PersonMaskOptions {
  /** Segmentation net. */
  model: SegmentModel;
  /** Crops per worker task. */
  batchSize: number;
  /** Worker threads. */
  workers: number;
  onProgress: ProgressCallback | false | null;
  /** The workers' tfjs backend choice (the run configuration's). */
  backend: BackendOptions;
}

export const PERSON_MASK_DEFAULTS: PersonMaskOptions = { model: 'selfie', batchSize: 32, workers: 1, onProgress: null, backend: {} };

export interface MaskRun {
  /** Mask folder. */
  dir: string;
  /** Mask file per crop (null where the mask failed), in the crops' order. */
  masks: (string | null)[];
  computed: number;
  cached: number;
  /** Crops that could not be segmented, with the first errors. */
  failed: number;
  errors: string[];
  /** Time in the net per computed face (ms, summed over the workers' threads). */
  netMsPerFace: number | null;
  seconds: number;
}

/** True when the crop's mask exists and is not older than the crop. */
export function hasMask(dir: string, crop: string): boolean {
  const m = maskPath(dir, crop);
  try {
    return fs.statSync(m).mtimeMs >= fs.statSync(crop).mtimeMs;
  } catch {
    return false;
  }
}

/** Computes the missing person masks of `crops` into `dir` (see the module comment). */
export async function personMasks(crops: readonly string[], dir: string, options: Partial<PersonMaskOptions> = {}): Promise<MaskRun> {
  const t0 = Date.now();
  const o = withDefaults('personMasks options', PERSON_MASK_DEFAULTS, options);
  const batchSize = integerInRange('batchSize', o.batchSize, 1, 1024);
  const missing = crops.map((c, i) => (hasMask(dir, c) ? -1 : i)).filter((i) => i >= 0);
  const tracker = new ProgressTracker('masks', crops.length, o.onProgress === false ? undefined : o.onProgress ?? printProgress());
  tracker.tick('cached', crops.length - missing.length);
  const failedAt = new Set<number>();
  const errors: string[] = [];
  let netMs = 0;
  if (missing.length > 0) {
    fs.mkdirSync(dir, { recursive: true });
    const batches: number[][] = [];
    for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));
    const workers = Math.max(1, Math.min(integerInRange('workers', o.workers, 1, 64), batches.length));
    const init: FeatureWorkerInit = { ...o.backend, segment: o.model, faceNets: false };
    const pool = new WorkerPool<{ segment: SegmentTask }, SegmentTaskResult>(require.resolve('../features/features-worker'), { workers, init });
    try {
      await pool.ready();
      await runAll(
        pool,
        batches,
        (batch) => ({ segment: { crops: batch.map((i) => crops[i]), dir } }),
        (batch, result, error) => {
          batch.forEach((i, j) => {
            const ok = result ? result.ok[j] : error?.message ?? 'worker failed';
            if (ok !== true) {
              failedAt.add(i);
              if (errors.length < 5) errors.push(`${path.basename(crops[i])}: ${ok}`);
            }
          });
          if (result) netMs += result.netMs;
          tracker.tick('done', batch.length);
        },
      );
    } finally {
      await pool.close();
    }
  }
  tracker.finish();
  const computed = missing.length - failedAt.size;
  return {
    dir,
    masks: crops.map((c, i) => (failedAt.has(i) ? null : maskPath(dir, c))),
    computed,
    cached: crops.length - missing.length,
    failed: failedAt.size,
    errors,
    netMsPerFace: computed > 0 ? netMs / computed : null,
    seconds: (Date.now() - t0) / 1000,
  };
}

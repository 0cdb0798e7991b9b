/**
 * The features stage: for every kept face, face-api's 128-d descriptor, age, gender probability
 * and 7 expression probabilities, computed in the worker pool and cached on disk in a columnar
 * binary form (data/interim/features/): descriptors.f32 (rows of 128 float32), attributes.f32
 * (rows of 9 float32), measures.f32 (rows of MEASURE_DIM float32: the measured attributes of
 * features/attributes.ts) and index.jsonl (which face each appended chunk of rows belongs to).
 * An interrupted run keeps every complete chunk and computes only what is missing.
 * Then the person masks of the same faces (features/masks.ts), cached beside the features.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectPaths, runConfig, type ProjectPaths } from '../config';
import { loadPrepared, type PreparedFaces } from './prepare';
import { WorkerPool, runAll, type WorkerReady } from '../runtime/pool';
import { ProgressTracker, printProgress, type ProgressCallback } from '../runtime/progress';
import { integerInRange, withDefaults } from '../validate';
import type { FeatureResult, FeatureTask } from '../features/features-worker';
import { MEASURE_DIM, MEASURES_VERSION } from '../features/attributes';
import { BINARY_TRAITS, buildTraits, type AttributeCalibration } from '../features/attribute-traits';
import { ATTRIBUTE_CALIBRATION } from '../features/attribute-calibration';
import { MIN_LABEL_AUC, type FaceTrait } from '../features/traits';
import { LABEL_DEFAULTS, SMILING_AUC } from './type-labels';
import { ATTRIBUTE, ATTRIBUTE_COLUMNS, ATTRIBUTE_DIM, DESCRIPTOR_DIM } from '../features/layout';
import { LANDMARK68_VALUES, MESH468_VALUES } from '../faces/landmarks';
import { maskDir, type SegmentModel } from '../faces/segment';
import { personMasks, type MaskRun } from './masks';

/** Bumped when the feature computation changes: the cache is then rebuilt. */
export const FEATURES_VERSION = 2;

export interface FeatureOptions {
  /** Faces per worker task (batched inference). */
  batchSize: number;
  workers: number | null;
  dataDir: string | null;
  onProgress: ProgressCallback | false | null;
  /** Person masks for whole-head averages with this net (false: none). */
  masks: SegmentModel | false;
}

export const FEATURE_DEFAULTS: FeatureOptions = { batchSize: 16, workers: null, dataDir: null, onProgress: null, masks: 'selfie' };

export interface FaceFeatures {
  /** Face file names (data/processed/faces/), in the preparation's rank order. */
  names: string[];
  /** N x 128 descriptors. */
  descriptors: Float32Array;
  /** N x 9 attributes: age, male, neutral, happy, sad, angry, fearful, disgusted, surprised. */
  attributes: Float32Array;
  /** N x MEASURE_DIM measured attributes (features/attributes.ts MEASURES). */
  measures: Float32Array;
  /** Computed in this run / read from the cache. */
  computed: number;
  cached: number;
  seconds: number;
  backend: string | null;
  /** The person masks' run (null with masks: false). */
  masks?: MaskRun | null;
}

/** The features cache: its folder, the index of complete chunks, and one binary file per block. */
export type FeaturePaths = { dir: string; index: string } & Record<'descriptors' | 'attributes' | 'measures', string>;

export function featurePaths(paths: ProjectPaths = projectPaths()): FeaturePaths {
  const dir = path.join(paths.interim, 'features');
  const file = (name: string) => path.join(dir, name);
  return { dir, index: file('index.jsonl'), descriptors: file('descriptors.f32'), attributes: file('attributes.f32'), measures: file('measures.f32') };
}

interface CacheState {
  /** key -> row in the binary files */
  rows: Map<string, number>;
  count: number;
}

/** A face's cache key: its file name, size and modification time, and the feature version. */
function faceKey(file: string): string {
  const st = fs.statSync(file);
  return `${path.basename(file)}|${st.size}|${Math.round(st.mtimeMs)}|v${FEATURES_VERSION}.${MEASURES_VERSION}`;
}

/** Reads the cache index; truncates the binary files to the rows a complete chunk describes. */
function openCache(p: FeaturePaths): CacheState {
  fs.mkdirSync(p.dir, { recursive: true });
  const rows = new Map<string, number>();
  let count = 0;
  const valid: string[] = [];
  if (fs.existsSync(p.index)) {
    const dRows = fs.existsSync(p.descriptors) ? fs.statSync(p.descriptors).size / (DESCRIPTOR_DIM * 4) : 0;
    const aRows = fs.existsSync(p.attributes) ? fs.statSync(p.attributes).size / (ATTRIBUTE_DIM * 4) : 0;
    const mRows = fs.existsSync(p.measures) ? fs.statSync(p.measures).size / (MEASURE_DIM * 4) : 0;
    const available = Math.floor(Math.min(dRows, aRows, mRows));
    for (const line of fs.readFileSync(p.index, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let chunk: { start: number; keys: string[] };
      try {
        chunk = JSON.parse(line) as { start: number; keys: string[] };
      } catch {
        break;
      }
      if (chunk.start !== count || chunk.start + chunk.keys.length > available) break;
      chunk.keys.forEach((k, i) => rows.set(k, chunk.start + i));
      count += chunk.keys.length;
      valid.push(line);
    }
  }
  // drop what no complete chunk describes (an interrupted write)
  fs.writeFileSync(p.index, valid.length ? valid.join('\n') + '\n' : '');
  for (const [file, dim] of [[p.descriptors, DESCRIPTOR_DIM], [p.attributes, ATTRIBUTE_DIM], [p.measures, MEASURE_DIM]] as const) {
    if (!fs.existsSync(file)) fs.writeFileSync(file, Buffer.alloc(0));
    fs.truncateSync(file, count * dim * 4);
  }
  return { rows, count };
}

function readRows(file: string, dim: number, rows: number[]): Float32Array {
  const fd = fs.openSync(file, 'r');
  const out = new Float32Array(rows.length * dim);
  try {
    const all = Buffer.alloc(fs.fstatSync(fd).size);
    fs.readSync(fd, all, 0, all.length, 0);
    const src = new Float32Array(all.buffer, all.byteOffset, all.length / 4);
    rows.forEach((r, i) => out.set(src.subarray(r * dim, (r + 1) * dim), i * dim));
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** Computes (or reads from the cache) the features of every prepared face. */
export async function extractFeatures(options: Partial<FeatureOptions> = {}, prepared?: PreparedFaces): Promise<FaceFeatures> {
  const t0 = Date.now();
  const o = withDefaults('extractFeatures options', FEATURE_DEFAULTS, options);
  integerInRange('batchSize', o.batchSize, 1, 256);
  const cfg = runConfig({ workers: o.workers ?? undefined, dataDir: o.dataDir ?? undefined });
  const prep = prepared ?? loadPrepared(cfg.paths);
  const p = featurePaths(cfg.paths);
  const cache = openCache(p);
  const n = prep.images.length;
  const keys = prep.images.map((f) => faceKey(f));
  const missing = keys.map((k, i) => (cache.rows.has(k) ? -1 : i)).filter((i) => i >= 0);
  const tracker = new ProgressTracker('features', n, o.onProgress === false ? undefined : o.onProgress ?? printProgress({ toStderr: cfg.progressToStderr }));
  tracker.tick('cached', n - missing.length);
  let backend: string | null = null;
  if (missing.length > 0) {
    const batches: number[][] = [];
    for (let i = 0; i < missing.length; i += o.batchSize) batches.push(missing.slice(i, i + o.batchSize));
    const pool = new WorkerPool<FeatureTask, FeatureResult>(require.resolve('../features/features-worker'), {
      workers: cfg.workers,
      init: cfg.backend,
      onReady: (r: WorkerReady) => {
        backend = r.backend;
      },
    });
    const dfd = fs.openSync(p.descriptors, 'a');
    const afd = fs.openSync(p.attributes, 'a');
    const mfd = fs.openSync(p.measures, 'a');
    const ifd = fs.openSync(p.index, 'a');
    try {
      await pool.ready();
      await runAll(
        pool,
        batches,
        (batch) => {
          const L = LANDMARK68_VALUES;
          const landmarks = new Float32Array(batch.length * L);
          batch.forEach((i, j) => landmarks.set(prep.landmarks68.subarray(i * L, (i + 1) * L), j * L));
          const M = MESH468_VALUES;
          const mesh = new Float32Array(batch.length * M);
          batch.forEach((i, j) => mesh.set(prep.mesh468.subarray(i * M, (i + 1) * M), j * M));
          return { files: batch.map((i) => prep.images[i]), landmarks, mesh };
        },
        (batch, result, error) => {
          if (!result) throw new Error(`feature extraction failed for ${batch.length} faces starting at ${path.basename(prep.images[batch[0]])}: ${error?.message}`);
          const d = new Float32Array(result.descriptors);
          const a = new Float32Array(result.attributes);
          const m = new Float32Array(result.measures);
          if (m.length !== batch.length * MEASURE_DIM) throw new Error(`the features worker measured ${m.length / MEASURE_DIM} of ${batch.length} faces`);
          fs.writeSync(dfd, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
          fs.writeSync(afd, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
          fs.writeSync(mfd, Buffer.from(m.buffer, m.byteOffset, m.byteLength));
          const chunkKeys = batch.map((i) => keys[i]);
          fs.writeSync(ifd, JSON.stringify({ start: cache.count, keys: chunkKeys }) + '\n');
          chunkKeys.forEach((k, j) => cache.rows.set(k, cache.count + j));
          cache.count += chunkKeys.length;
          tracker.tick('done', batch.length);
        },
      );
    } finally {
      fs.closeSync(dfd);
      fs.closeSync(afd);
      fs.closeSync(mfd);
      fs.closeSync(ifd);
      await pool.close();
    }
  }
  tracker.finish();
  const masks = o.masks ? await personMasks(prep.images, maskDir(cfg.paths.interim, o.masks), { model: o.masks, workers: cfg.workers, onProgress: o.onProgress, backend: cfg.backend }) : null;
  const rows = keys.map((k) => cache.rows.get(k) as number);
  return {
    names: prep.file.faces.map((f) => f.name),
    descriptors: readRows(p.descriptors, DESCRIPTOR_DIM, rows),
    attributes: readRows(p.attributes, ATTRIBUTE_DIM, rows),
    measures: readRows(p.measures, MEASURE_DIM, rows),
    computed: missing.length,
    cached: n - missing.length,
    seconds: (Date.now() - t0) / 1000,
    backend,
    masks,
  };
}

/** The first faces' estimates as table rows (name, age, male probability, top expression). */
export function featureRows(f: FaceFeatures, limit = 10): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < Math.min(limit, f.names.length); i++) {
    const a = f.attributes.subarray(i * ATTRIBUTE_DIM, (i + 1) * ATTRIBUTE_DIM);
    let best = 2;
    for (let j = 3; j < ATTRIBUTE_DIM; j++) if (a[j] > a[best]) best = j;
    const d = f.descriptors.subarray(i * DESCRIPTOR_DIM, (i + 1) * DESCRIPTOR_DIM);
    rows.push({
      face: f.names[i],
      age: Math.round(a[0] * 10) / 10,
      'P(male)': Math.round(a[1] * 100) / 100,
      expression: `${ATTRIBUTE_COLUMNS[best]} ${(100 * a[best]).toFixed(0)}%`,
      descriptor: `[${Array.from(d.subarray(0, 4), (v) => v.toFixed(3)).join(', ')}, …] (128)`,
    });
  }
  return rows;
}

/**
 * The per-face traits of the features (features/traits.ts): age band, gender, skin tone (ITA),
 * glasses, beard, moustache, goatee, hair colours, bald, hat and the hair colour category, with the
 * committed CelebA calibration (features/attribute-calibration.ts) unless another is given.
 */
export function faceTraits(f: Pick<FaceFeatures, 'names' | 'attributes' | 'measures'>, calibration: AttributeCalibration = ATTRIBUTE_CALIBRATION): FaceTrait[] {
  const column = (j: number) => Float32Array.from(f.names, (_, i) => f.attributes[i * ATTRIBUTE_DIM + j]);
  return buildTraits({ measures: f.measures, age: column(ATTRIBUTE.age), male: column(ATTRIBUTE.male) }, calibration);
}

/**
 * The validation table of the traits (display-ready): for every trait a label may name, the CelebA
 * label it was checked against, its ROC AUC on held-out identities, its threshold and whether a
 * label may use it (AUC >= MIN_LABEL_AUC). Face-api's smiling: SMILING_AUC (stages/type-labels.ts).
 */
export function attributeAucRows(
  calibration: AttributeCalibration = ATTRIBUTE_CALIBRATION, smiling: { auc: number; threshold: number } | null = { auc: SMILING_AUC, threshold: LABEL_DEFAULTS.smileThreshold },
): Record<string, string>[] {
  const auc = (v: number | null) => (v === null || !Number.isFinite(v) ? 'not measured' : v.toFixed(3));
  const used = (v: number | null, yes = 'yes') => (v !== null && v >= MIN_LABEL_AUC ? yes : v === null ? 'yes (a model\'s estimate)' : `no (AUC < ${MIN_LABEL_AUC})`);
  const rows: Record<string, string>[] = [
    { attribute: 'age band (face-api age)', 'CelebA label': 'Young', AUC: auc(calibration.ageAuc), threshold: 'age < 35', 'used in labels': used(calibration.ageAuc) },
    { attribute: 'gender (face-api)', 'CelebA label': 'Male', AUC: auc(calibration.maleAuc), threshold: 'P(male) > 0.5', 'used in labels': used(calibration.maleAuc) },
  ];
  if (smiling) rows.push({ attribute: 'smiling (face-api happy)', 'CelebA label': 'Smiling', AUC: auc(smiling.auc), threshold: `happy >= ${smiling.threshold}`, 'used in labels': used(smiling.auc) });
  rows.push({
    attribute: 'skin tone (ITA)', 'CelebA label': 'Pale_Skin', AUC: auc(calibration.skinAuc), threshold: `ITA > ${calibration.paleItaThreshold.toFixed(1)}°`,
    'used in labels': used(calibration.skinAuc, 'yes (the six ITA categories)'),
  });
  for (const [name, b] of Object.entries(calibration.binary)) {
    const word = (BINARY_TRAITS as Record<string, string>)[name]?.replace(/^with (a )?/, '') ?? name;
    rows.push({ attribute: word, 'CelebA label': b.negate ? `not ${b.label}` : b.label, AUC: auc(b.auc), threshold: `score >= ${b.threshold.toFixed(3)}`, 'used in labels': used(b.auc) });
  }
  return rows;
}

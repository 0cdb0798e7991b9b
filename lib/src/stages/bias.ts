/**
 * Selection bias for any source, metadata or not: face-api's age/gender net (the features stage's
 * nets, in the same worker) estimates gender and an age band on the kept faces and on a seeded
 * random sample of the rejected candidates that have a measured face; the sample is weighted so
 * that it stands for all rejected ones (see faces/bias.ts selectionBias). Estimates are cached per
 * crop in data/interim/bias/estimates.json; the table is written to data/processed/bias.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { RunConfig } from '../config';
import { WorkerPool, runAll, type WorkerReady } from '../runtime/pool';
import { ProgressTracker, printProgress, type ProgressCallback } from '../runtime/progress';
import { integerInRange, withDefaults } from '../validate';
import { DEFAULT_TEMPLATE, warpAffine, type Affine } from '../faces/align';
import { decodePhoto } from '../faces/decode';
import { LANDMARK68_VALUES } from '../faces/landmarks';
import type { Verdict } from '../faces/filter';
import { sampleWithWeight, selectionBias, traitsFromEstimates, type BiasTable, type TraitSample } from '../faces/bias';
import type { FeatureTask } from '../features/features-worker';
import type { FeatureBatch } from '../features/nets';
import { ATTRIBUTE, ATTRIBUTE_DIM } from '../features/layout';
import { Random } from '../cluster/random';
import { writeFileAtomic } from '../io/atomic';
import { safeName, type FacesFile, type PrepareResult } from './prepare';

/** Bumped when the estimation changes: the cache is then ignored. */
export const BIAS_ESTIMATE_VERSION = 1;

export interface EstimatedBiasOptions {
  /** Faces sampled at most from the kept ones and from the rejected ones (each). */
  sample: number;
  /** 'auto': estimate only when the source's metadata and attributes give no trait; 'always': add the estimates to them; 'never'. */
  estimate: 'auto' | 'always' | 'never';
  maxShift: number;
  batchSize: number;
  onProgress: ProgressCallback | false | null;
}

export const ESTIMATED_BIAS_DEFAULTS: EstimatedBiasOptions = { sample: 1000, estimate: 'auto', maxShift: 5, batchSize: 16, onProgress: null };

export interface BiasRun {
  table: BiasTable;
  /** Faces whose traits were estimated (kept + rejected sampled), computed now / read from the cache. */
  estimated: number;
  computed: number;
  cached: number;
  /** Rejected faces whose crop had to be cut again from the photo. */
  recropped: number;
  seconds: number;
  /** Wall-clock milliseconds per face computed in this run (crop reading and the nets, over all workers; worker start excluded); null when all were cached. */
  msPerFace: number | null;
  /** CPU milliseconds per face computed in this run (all threads of the process, worker start excluded): the cost on a busy machine too. */
  cpuMsPerFace: number | null;
  /** Milliseconds to start the workers (load and warm up the nets); 0 when all were cached. */
  startMs: number;
  backend: string | null;
  file: string;
  /** The preparation these estimates belong to: its source's label and number of kept faces. */
  source: string;
  keptFaces: number;
}

interface Job {
  key: string;
  file: string;
  lm68: number[];
  kept: boolean;
  weight: number;
}

/** A kept or rejected face's identity in the verdicts. */
const faceId = (v: Verdict): string => `${v.item.id}#${v.face?.index ?? 0}`;

/** Cuts a rejected face's crop from its photo with the record's transform (original pixels -> crop). */
async function recrop(v: Verdict, size: number, file: string): Promise<boolean> {
  const d = await decodePhoto(v.item.path);
  if (!d.ok) return false;
  const t = v.face!.transform;
  const s = d.scale;
  const toCrop: Affine = [t[0] / s, t[1] / s, t[2], t[3] / s, t[4] / s, t[5]];
  const crop = warpAffine(d.image, toCrop, { width: size, height: size, fill: 'edge' });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.length), { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: 92 })
    .toFile(tmp);
  fs.renameSync(tmp, file);
  return true;
}

function readCache(file: string): Record<string, [number, number]> {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; faces: Record<string, [number, number]> };
    return c.version === BIAS_ESTIMATE_VERSION ? c.faces : {};
  } catch {
    return {};
  }
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** How a group of faces was sampled, e.g. 'all 26' or 'a random sample of 1000 of 9686'. */
const sampled = (n: number, of: number) => (n === of ? `all ${of}` : `a random sample of ${n} of ${of}`);

/**
 * The selection's bias with face-api's estimates of gender and age band (see the module comment);
 * with metadata (WIKI, CelebA attributes) the preparation's table unless options.estimate is 'always'.
 */
export async function estimatedBias(cfg: RunConfig, prepared: PrepareResult, options: Partial<EstimatedBiasOptions> = {}): Promise<BiasRun> {
  const t0 = Date.now();
  const o = withDefaults('estimatedBias options', ESTIMATED_BIAS_DEFAULTS, options);
  integerInRange('sample', o.sample, 1);
  const outFile = path.join(cfg.paths.processed, 'bias.json');
  const base: BiasRun = { table: prepared.bias, estimated: 0, computed: 0, cached: 0, recropped: 0, seconds: 0, msPerFace: null, cpuMsPerFace: null, startMs: 0, backend: null, file: outFile, source: prepared.source.label, keptFaces: prepared.kept.length };
  const fromMeta = prepared.bias.rows.length > 0;
  if (o.estimate === 'never' || (o.estimate === 'auto' && fromMeta)) {
    base.table = { ...prepared.bias, note: fromMeta ? "traits from the source's metadata / attributes" : undefined };
    writeFileAtomic(outFile, JSON.stringify({ ...base, seconds: (Date.now() - t0) / 1000 }, null, 2));
    return base;
  }

  // who: the kept faces and the rejected candidates with a measured face, each sampled (seeded)
  const keptIds = new Set(prepared.kept.map(faceId));
  const rejected = prepared.verdicts.filter((v) => v.face && !keptIds.has(faceId(v)));
  const random = new Random(cfg.seed).fn();
  const k = sampleWithWeight(prepared.kept.filter((v) => v.face), o.sample, random);
  const r = sampleWithWeight(rejected, o.sample, random);
  let size = DEFAULT_TEMPLATE.size;
  try {
    size = (JSON.parse(fs.readFileSync(prepared.paths.facesJson, 'utf8')) as FacesFile).cropSize ?? size;
  } catch {
    // no faces.json: the default template's size
  }
  const dir = path.join(cfg.paths.interim, 'bias');
  const cacheFile = path.join(dir, 'estimates.json');
  const cache = readCache(cacheFile);
  const jobs: Job[] = [];
  let recropped = 0;
  let noCrop = 0;
  for (const [list, kept, weight] of [[k.sample, true, k.weight], [r.sample, false, r.weight]] as const) {
    for (const v of list) {
      const f = v.face!;
      let file = f.crop ? path.join(prepared.paths.crops, f.crop) : '';
      if (!file || !fs.existsSync(file)) {
        file = path.join(dir, 'crops', `${safeName(v.item.id)}_f${f.index}.jpg`);
        if (!fs.existsSync(file)) {
          if (!(await recrop(v, size, file))) {
            noCrop++;
            continue;
          }
          recropped++;
        }
      }
      const st = fs.statSync(file);
      jobs.push({ key: `${path.basename(file)}|${st.size}|${Math.round(st.mtimeMs)}`, file, lm68: f.lm68, kept, weight });
    }
  }

  // estimate what the cache lacks, in the features worker
  const missing = jobs.filter((j) => !cache[j.key]);
  const tracker = new ProgressTracker('bias', jobs.length, o.onProgress === false ? undefined : o.onProgress ?? printProgress({ toStderr: cfg.progressToStderr }));
  tracker.tick('cached', jobs.length - missing.length);
  let backend: string | null = null;
  let tc = Date.now();
  let startMs = 0;
  let cpu: NodeJS.CpuUsage | null = null;
  if (missing.length > 0) {
    const batches: Job[][] = [];
    for (let i = 0; i < missing.length; i += o.batchSize) batches.push(missing.slice(i, i + o.batchSize));
    const pool = new WorkerPool<FeatureTask, FeatureBatch>(require.resolve('../features/features-worker'), {
      workers: Math.min(cfg.workers, batches.length),
      init: cfg.backend,
      onReady: (w: WorkerReady) => {
        backend = w.backend;
      },
    });
    try {
      await pool.ready();
      startMs = Date.now() - tc;
      tc = Date.now();
      const cpu0 = process.cpuUsage();
      await runAll(
        pool,
        batches,
        (batch) => {
          const landmarks = new Float32Array(batch.length * LANDMARK68_VALUES);
          batch.forEach((j, i) => landmarks.set(j.lm68, i * LANDMARK68_VALUES));
          return { files: batch.map((j) => j.file), landmarks };
        },
        (batch, result, error) => {
          if (!result) throw new Error(`age/gender estimation failed for ${batch.length} faces starting at ${path.basename(batch[0].file)}: ${error?.message}`);
          const a = new Float32Array(result.attributes);
          batch.forEach((j, i) => {
            cache[j.key] = [Math.round(a[i * ATTRIBUTE_DIM + ATTRIBUTE.age] * 100) / 100, Math.round(a[i * ATTRIBUTE_DIM + ATTRIBUTE.male] * 1000) / 1000];
          });
          tracker.tick('done', batch.length);
        },
      );
      cpu = process.cpuUsage(cpu0);
    } finally {
      await pool.close();
    }
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(cacheFile, JSON.stringify({ version: BIAS_ESTIMATE_VERSION, faces: cache }));
  }
  tracker.finish();
  const computeMs = Date.now() - tc;
  const cpuMs = cpu ? (cpu.user + cpu.system) / 1000 : 0;

  const samples: TraitSample[] = jobs.map((j) => ({ kept: j.kept, weight: j.weight, traits: traitsFromEstimates(...cache[j.key]) }));
  const estimated = selectionBias(samples, { maxShift: o.maxShift });
  const lost = noCrop ? `; ${plural(noCrop, 'rejected face')} skipped (photo unreadable)` : '';
  const note = `traits estimated by face-api's age/gender net; kept: ${sampled(k.sample.length, prepared.kept.length)}; rejected: ${sampled(r.sample.length, rejected.length)}${r.weight > 1 ? ` (weighted ×${r.weight.toFixed(2)})` : ''}${lost}`;
  const table: BiasTable = fromMeta
    ? { rows: [...prepared.bias.rows, ...estimated.rows], warnings: [...prepared.bias.warnings, ...estimated.warnings], candidates: estimated.candidates, kept: estimated.kept, note: `metadata / attributes on every labelled candidate, then ${note}` }
    : { ...estimated, note };
  const run: BiasRun = {
    table, estimated: jobs.length, computed: missing.length, cached: jobs.length - missing.length, recropped,
    seconds: (Date.now() - t0) / 1000, msPerFace: missing.length ? Math.round((computeMs / missing.length) * 10) / 10 : null,
    cpuMsPerFace: cpu && missing.length ? Math.round((cpuMs / missing.length) * 10) / 10 : null, startMs, backend, file: outFile, source: prepared.source.label, keptFaces: prepared.kept.length,
  };
  writeFileAtomic(outFile, JSON.stringify(run, null, 2));
  return run;
}

/** The run in one table row (for the notebook). */
export function biasRunRows(run: BiasRun): Record<string, string | number>[] {
  return [{
    'faces estimated': run.estimated, computed: run.computed, cached: run.cached, 'recut crops': run.recropped,
    'ms per face': run.msPerFace ?? '–', 'CPU ms per face': run.cpuMsPerFace ?? '–', 'worker start ms': run.startMs, seconds: Math.round(run.seconds * 10) / 10, backend: run.backend ?? '–',
  }];
}

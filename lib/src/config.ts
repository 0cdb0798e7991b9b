/**
 * The one place that knows every path and default. Stages take their inputs and outputs from
 * here; callers (notebooks, scripts, tests) override by passing options or by environment
 * variables (FACETYPE_*), so notebooks run unchanged on any source.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TEMPLATE } from './faces/align';
import type { BackendOptions } from './runtime/backend';
import { defaultWorkers } from './runtime/pool';
import { integerInRange, InvalidParameterError } from './validate';

/** The project root: FACETYPE_ROOT, else the folder above `lib/` (this file lives in lib/dist). */
export function projectRoot(): string {
  const fromEnv = process.env.FACETYPE_ROOT;
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(__dirname, '..', '..');
}

/** Every folder a run reads or writes (Cookiecutter Data Science layout). */
export interface ProjectPaths {
  root: string;
  /** Root of all data; FACETYPE_DATA overrides (tests use a temporary folder). */
  data: string;
  /** Immutable downloads (wiki_crop.tar and its extraction). */
  raw: string;
  /** Caches: per-photo detections, features. */
  interim: string;
  /** Results: faces, manifest, clusters, averages. */
  processed: string;
  faces: string;
  clusters: string;
  averages: string;
  /** Executed notebooks, HTML exports and the report. */
  reports: string;
  figures: string;
  notebooks: string;
}

export function projectPaths(dataDir?: string): ProjectPaths {
  const root = projectRoot();
  const data = path.resolve(dataDir ?? process.env.FACETYPE_DATA ?? path.join(root, 'data'));
  const processed = path.join(data, 'processed');
  const reports = path.resolve(process.env.FACETYPE_REPORTS ?? path.join(root, 'reports'));
  return {
    root,
    data,
    raw: path.join(data, 'raw'),
    interim: path.join(data, 'interim'),
    processed,
    faces: path.join(processed, 'faces'),
    clusters: path.join(processed, 'clusters'),
    averages: path.join(processed, 'averages'),
    reports,
    figures: path.join(reports, 'figures'),
    notebooks: path.join(root, 'notebooks'),
  };
}

/** Project-wide defaults. Every stage documents its own options on top of these. */
export const DEFAULTS = {
  /** Seed for every random choice (k-means++ seeding, bootstrap samples, UMAP). */
  seed: 42,
  /** Number of best faces kept by the preparation (the task's number). */
  keep: 9000,
  /** Range of cluster counts explored; the task allows at most 10. */
  kMin: 2,
  kMax: 10,
  /** Side of the square eye-aligned face crops, in pixels (the alignment template's). */
  cropSize: DEFAULT_TEMPLATE.size,
  /** Default source when none is given: the real WIKI dataset. */
  source: 'wiki',
} as const;

/** What a run works on and with; resolved from options, then FACETYPE_* variables, then DEFAULTS. */
export interface RunConfig {
  /** 'wiki', 'demo', or a folder of photos (absolute or relative to the current directory). */
  source: string;
  /** Number of faces to keep. */
  keep: number;
  /** A fixed number of clusters, or 'auto' to choose it from the metrics. */
  k: number | 'auto';
  /** Worker threads for model inference (default: one per core). */
  workers: number;
  seed: number;
  /** Optional CelebA-style attributes.csv to score clusters against. */
  attributes: string | null;
  /** Worker threads of the preparation: `workers` when set, else one more than cores. */
  prepareWorkers: number;
  /** Backend choice passed to every worker thread (FACETYPE_BACKEND, FACETYPE_WASM_CONCAT). */
  backend: BackendOptions;
  /** Progress lines also on stderr (FACETYPE_PROGRESS_STDERR=1, set by `npm start` for its kernels). */
  progressToStderr: boolean;
  /** Where WIKI's wiki_crop.tar is downloaded from (FACETYPE_WIKI_URL, else the dataset's site). */
  wikiUrl: string | null;
  /** The WASM distance kernels of the clustering (FACETYPE_NO_WASM=1 turns them off: JS fallback). */
  wasmKernels: boolean;
  /** A folder of other averages to show beside ours (FACETYPE_COMPARE_AVERAGES), or null. */
  compareAverages: string | null;
  paths: ProjectPaths;
}

export interface RunConfigOptions {
  source?: string;
  keep?: number;
  k?: number | 'auto';
  workers?: number;
  seed?: number;
  attributes?: string | null;
  dataDir?: string;
  compareAverages?: string | null;
}

function envInteger(name: string, min: number, max?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return integerInRange(name, Number.isFinite(value) ? value : raw, min, max);
}

export { defaultWorkers };

/**
 * Resolves the run configuration: the one place that reads the environment. Variables:
 * FACETYPE_SOURCE (wiki | demo | folder), FACETYPE_KEEP, FACETYPE_K (2..10 or auto),
 * FACETYPE_WORKERS, FACETYPE_SEED, FACETYPE_ATTRIBUTES, FACETYPE_DATA, FACETYPE_REPORTS,
 * FACETYPE_BACKEND, FACETYPE_WASM_CONCAT, FACETYPE_ONNX, FACETYPE_PROGRESS_STDERR, FACETYPE_WIKI_URL,
 * FACETYPE_NO_WASM, FACETYPE_COMPARE_AVERAGES.
 */
export function runConfig(options: RunConfigOptions = {}): RunConfig {
  const source = options.source ?? process.env.FACETYPE_SOURCE ?? DEFAULTS.source;
  const keep = options.keep ?? envInteger('FACETYPE_KEEP', 1) ?? DEFAULTS.keep;
  integerInRange('keep', keep, 1);
  let k: number | 'auto' = options.k ?? 'auto';
  if (options.k === undefined) {
    const rawK = process.env.FACETYPE_K;
    if (rawK !== undefined && rawK !== '' && rawK !== 'auto') k = envInteger('FACETYPE_K', 2, DEFAULTS.kMax) ?? 'auto';
  }
  if (k !== 'auto') integerInRange('k', k, 2, DEFAULTS.kMax);
  const workers = options.workers ?? envInteger('FACETYPE_WORKERS', 1, 64) ?? defaultWorkers();
  integerInRange('workers', workers, 1, 64);
  const seed = options.seed ?? envInteger('FACETYPE_SEED', 0) ?? DEFAULTS.seed;
  const paths = projectPaths(options.dataDir);
  let attributes = options.attributes !== undefined ? options.attributes : process.env.FACETYPE_ATTRIBUTES ?? null;
  if (attributes === null) attributes = guessAttributes(source);
  if (attributes !== null && !fs.existsSync(attributes)) {
    throw new InvalidParameterError('attributes', 'path of an existing attributes.csv', attributes);
  }
  const explicitWorkers = options.workers !== undefined || Boolean(process.env.FACETYPE_WORKERS);
  // the preparation decodes and encodes images between inferences (libvips threads): one worker
  // more than cores keeps the cores busy (measured ~10% more photos/s on 2 cores)
  const prepareWorkers = explicitWorkers ? workers : Math.min(64, defaultWorkers() + 1);
  const backend: BackendOptions = {
    prefer: (process.env.FACETYPE_BACKEND ?? '').toLowerCase() === 'wasm' ? 'wasm' : 'auto',
    wasmConcat: process.env.FACETYPE_WASM_CONCAT === 'original' ? 'original' : 'fast',
    onnx: (process.env.FACETYPE_ONNX ?? '').toLowerCase() === 'off' ? 'off' : 'auto',
  };
  const compareAverages = options.compareAverages !== undefined ? options.compareAverages : process.env.FACETYPE_COMPARE_AVERAGES || null;
  return {
    source, keep, k, workers, seed, attributes, prepareWorkers, backend,
    progressToStderr: process.env.FACETYPE_PROGRESS_STDERR === '1',
    wikiUrl: process.env.FACETYPE_WIKI_URL || null,
    wasmKernels: process.env.FACETYPE_NO_WASM !== '1',
    compareAverages,
    paths,
  };
}

/** A CelebA images folder has its attributes.csv beside it: use it when it is there. */
function guessAttributes(source: string): string | null {
  if (source === 'wiki' || source === 'demo') return null;
  const candidate = path.join(path.resolve(source), '..', 'attributes.csv');
  return fs.existsSync(candidate) ? candidate : null;
}

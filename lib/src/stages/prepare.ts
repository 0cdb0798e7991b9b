/**
 * The preparation stage: every photo of a source -> measured faces (cached per photo) -> filters
 * -> the best N faces as eye-aligned crops in data/processed/faces/, with a manifest of all photos.
 *
 * Resumable: each photo's record is appended to data/interim/prepare/records.jsonl as soon as it
 * is measured (its crop is written first, atomically), so an interrupted run loses at most the
 * photos in flight and a re-run measures only what is missing or changed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectPaths, runConfig, type ProjectPaths, type RunConfig } from '../config';
import { WorkerPool, runAll, type WorkerReady } from '../runtime/pool';
import { ProgressTracker, printProgress, type ProgressCallback } from '../runtime/progress';
import type { PhotoItem, PhotoSource } from '../sources/types';
import { integerInRange, withDefaults } from '../validate';
import { DEFAULT_TEMPLATE, validateTemplate, type Affine, type AlignTemplate } from '../faces/align';
import { DECODE_DEFAULTS, type DecodeOptions } from '../faces/decode';
import { DETECTOR_DEFAULTS, type DetectorOptions } from '../faces/detector';
import { DEMO_FILTERS, funnel, judge, referencePose, selectBest, validateFilters, type FilterOptions, type FunnelRow, type ReferencePose, type Verdict } from '../faces/filter';
import { decodeMesh, MEASURE_VERSION, type MeasureTask, type PhotoRecord } from '../faces/measure';
import { writeManifest } from '../faces/manifest';
import { markNearDuplicates, type DedupeOptions, type NearDuplicateSummary } from '../faces/dedupe';
import { linkOrCopy, replaceDirAtomic, writeFileAtomic, writeLinesAtomic } from '../io/atomic';
import { LANDMARK68_VALUES, MESH468_VALUES } from '../faces/landmarks';
import { openSource } from '../sources/open';
import type { PrepareWorkerInit } from '../faces/prepare-worker';
import { selectionBias, traitsFromAttributes, traitsFromMeta, type BiasTable, type TraitSample } from '../faces/bias';
import { readAttributes } from './labels';

export interface PrepareOptions {
  /** A source object, or 'wiki' | 'demo' | a folder (default: FACETYPE_SOURCE, else 'wiki'). */
  source: PhotoSource | string | null;
  /** Faces to keep (default: FACETYPE_KEEP, else 9000). */
  keep: number | null;
  filters: Partial<FilterOptions>;
  detector: Partial<DetectorOptions>;
  template: AlignTemplate;
  decode: Partial<DecodeOptions>;
  /** Worker threads (default: FACETYPE_WORKERS, else one per core). */
  workers: number | null;
  /** Data folder (default: FACETYPE_DATA, else <project>/data). */
  dataDir: string | null;
  /** Only the first `limit` photos of the source (a quick look); null for all. */
  limit: number | null;
  /** JPEG quality of the crops. */
  jpegQuality: number;
  /** Photos per worker task (the face mesh runs batched over them). */
  batchSize: number;
  /** Progress callback; default prints progress; false for silence. */
  onProgress: ProgressCallback | false | null;
  /** Near-duplicate check among the faces that pass the filters (see faces/dedupe.ts); false to skip it. */
  dedupe: DedupeOptions | false;
}

export const PREPARE_DEFAULTS: PrepareOptions = {
  source: null,
  keep: null,
  filters: {},
  detector: {},
  template: DEFAULT_TEMPLATE,
  decode: {},
  workers: null,
  dataDir: null,
  limit: null,
  jpegQuality: 94,
  batchSize: 8,
  onProgress: null,
  dedupe: {},
};

/** Where the preparation reads and writes. */
export interface PreparePaths {
  records: string;
  crops: string;
  faces: string;
  manifestCsv: string;
  facesJson: string;
  landmarks68: string;
  mesh468: string;
  summary: string;
  /** Cache of the near-duplicate signatures of the crops. */
  signatures: string;
}

export function preparePaths(paths: ProjectPaths = projectPaths()): PreparePaths {
  const interim = path.join(paths.interim, 'prepare');
  return {
    records: path.join(interim, 'records.jsonl'),
    crops: path.join(interim, 'crops'),
    faces: paths.faces,
    manifestCsv: path.join(paths.processed, 'manifest.csv'),
    facesJson: path.join(paths.processed, 'faces.json'),
    landmarks68: path.join(paths.processed, 'landmarks68.f32'),
    mesh468: path.join(paths.processed, 'mesh468.f32'),
    summary: path.join(paths.processed, 'prepare.json'),
    signatures: path.join(interim, 'signatures.jsonl'),
  };
}

/** One kept face, as later stages read it (data/processed/faces.json). */
export interface KeptFace {
  rank: number;
  /** File name in data/processed/faces/. */
  name: string;
  /** Photo id in the source, and the face index in that photo. */
  photo: string;
  face: number;
  quality: number;
  yaw: number;
  pitch: number;
  roll: number;
  sharpness: number;
  /** Re-blur ratio normalised for the face's size (see FaceMeasures.blur). */
  blur: number | null;
  eyeDistance: number;
  brightness: number;
  /** Share of the crop outside the photo (filled by edge replication). */
  outside: number;
  /** Original photo pixels -> crop pixels, and the photo's size: insideMask(transform, ...photoSize, cropSize) gives the pixels to ignore. */
  transform: Affine;
  photoSize: [number, number];
  meta: PhotoItem['meta'] | null;
}

export interface FacesFile {
  version: 1;
  source: { kind: string; label: string; root: string };
  template: AlignTemplate;
  cropSize: number;
  faces: KeptFace[];
}

export interface PrepareResult {
  source: { kind: string; label: string; root: string; photos: number };
  /** Photos measured in this run, served from the cache, failed. */
  measured: number;
  cached: number;
  failed: number;
  verdicts: Verdict[];
  kept: Verdict[];
  funnel: FunnelRow[];
  filters: FilterOptions;
  /** The head pose yaw and pitch were judged from (the source's median unless filters.poseReference is 'camera'). */
  pose: ReferencePose;
  /** The selection's bias: kept faces against all candidates on the source's metadata and attributes (see preparationBias). */
  bias: BiasTable;
  /** The near-duplicate check: faces compared and marked, and its time (null when skipped). */
  nearDuplicates: NearDuplicateSummary | null;
  keep: number;
  paths: PreparePaths;
  seconds: number;
  /** Photos per second over the whole stage (cache included). */
  rate: number;
  backend: string | null;
}

/** A short stable hash. */
function shortHash(s: string, n = 8): string {
  return crypto.createHash('sha1').update(s).digest('hex').slice(0, n);
}

/** A file-system-safe name for a photo id, unique thanks to a hash of the id. */
export function safeName(id: string, maxLength = 80): string {
  const stem = id.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[\\/]+/g, '__').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const cut = stem.length > maxLength ? stem.slice(0, maxLength) : stem;
  return `${cut || 'photo'}-${shortHash(id, 6)}`;
}

/** Reads the per-photo cache; a torn last line (interrupted write) is ignored. */
export function readRecords(file: string): Map<string, PhotoRecord> {
  const map = new Map<string, PhotoRecord>();
  if (!fs.existsSync(file)) return map;
  const text = fs.readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as PhotoRecord;
      if (rec && typeof rec.key === 'string') map.set(rec.key, rec);
    } catch {
      // torn line from an interrupted run: that photo is measured again
    }
  }
  return map;
}

/** True when a non-empty file does not end with a newline. */
function endsTorn(file: string): boolean {
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  if (size === 0) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

function settingsHash(o: PrepareOptions, facesPerPhoto: string): string {
  return shortHash(JSON.stringify({ v: MEASURE_VERSION, d: { ...DETECTOR_DEFAULTS, ...o.detector }, t: o.template, dec: { ...DECODE_DEFAULTS, ...o.decode }, q: o.jpegQuality, f: facesPerPhoto }), 10);
}

/** The run's source, ready to list (WIKI: downloaded and extracted first). */
export function openRunSource(cfg: RunConfig, options: { progress?: boolean } = {}): Promise<PhotoSource> {
  return openSource(cfg.source, { rawDir: cfg.paths.raw, wikiUrl: cfg.wikiUrl, progress: options.progress });
}

/** Runs the preparation. */
export async function prepareFaces(options: Partial<PrepareOptions> = {}): Promise<PrepareResult> {
  const t0 = Date.now();
  const o = withDefaults('prepareFaces options', PREPARE_DEFAULTS, options);
  const cfg = runConfig({
    source: typeof o.source === 'string' ? o.source : undefined,
    keep: o.keep ?? undefined,
    workers: o.workers ?? undefined,
    dataDir: o.dataDir ?? undefined,
  });
  const template = validateTemplate(o.template);
  const source: PhotoSource = o.source && typeof o.source === 'object' ? o.source : await openRunSource(cfg);
  const filters = validateFilters({ facesPerPhoto: source.facesPerPhoto, ...(source.kind === 'demo' ? DEMO_FILTERS : {}), ...o.filters });
  const keep = integerInRange('keep', cfg.keep, 1);
  const onProgress = o.onProgress === false ? undefined : o.onProgress ?? printProgress({ toStderr: cfg.progressToStderr });
  const p = preparePaths(cfg.paths);
  fs.mkdirSync(p.crops, { recursive: true });
  fs.mkdirSync(path.dirname(p.records), { recursive: true });

  let items = await source.list();
  if (o.limit !== null) items = items.slice(0, integerInRange('limit', o.limit, 1));
  const settings = settingsHash(o, filters.facesPerPhoto);
  const cache = readRecords(p.records);
  const byId = new Map<string, PhotoRecord>();
  const todo: { item: PhotoItem; key: string }[] = [];
  // pre-rejected photos are neither measured nor read from the cache: progress counts the others
  const tracker = new ProgressTracker('prepare', items.filter((it) => !it.preReject).length, onProgress);
  for (const item of items) {
    if (item.preReject) continue;
    let key: string;
    try {
      const st = fs.statSync(item.path);
      key = `${item.id}|${st.size}|${Math.round(st.mtimeMs)}|${settings}`;
    } catch {
      key = `${item.id}|missing|${settings}`;
    }
    const hit = cache.get(key);
    if (hit && hit.faces.every((f) => !f.crop || fs.existsSync(path.join(p.crops, f.crop)))) {
      byId.set(item.id, hit);
      tracker.tick('cached');
    } else {
      todo.push({ item, key });
    }
  }

  let backend: string | null = null;
  let measured = 0;
  if (todo.length > 0) {
    const workers = o.workers ?? cfg.prepareWorkers;
    const pool = new WorkerPool<MeasureTask[], PhotoRecord[]>(require.resolve('../faces/prepare-worker'), {
      workers,
      init: { detector: o.detector, backend: cfg.backend } satisfies PrepareWorkerInit,
      onReady: (r: WorkerReady) => {
        backend = r.backend;
      },
    });
    // small batches: the mesh model runs batched over the faces of a batch's photos
    const batches: { item: PhotoItem; key: string }[][] = [];
    for (let i = 0; i < todo.length; i += o.batchSize) batches.push(todo.slice(i, i + o.batchSize));
    const out = fs.openSync(p.records, 'a');
    // a run interrupted mid-write leaves a torn last line: end it so the next record stays whole
    if (endsTorn(p.records)) fs.writeSync(out, '\n');
    const save = (record: PhotoRecord, item: PhotoItem) => {
      fs.writeSync(out, JSON.stringify(record) + '\n');
      byId.set(item.id, record);
      measured++;
      tracker.tick(record.status === 'failed' ? 'failed' : 'done');
    };
    try {
      await pool.ready();
      await runAll(
        pool,
        batches,
        (batch) => batch.map(({ item, key }) => ({
          key,
          id: item.id,
          path: item.path,
          cropDir: p.crops,
          cropBase: safeName(item.id),
          facesPerPhoto: filters.facesPerPhoto,
          template,
          decode: o.decode,
          jpegQuality: o.jpegQuality,
        })),
        async (batch, recs, err) => {
          if (recs) {
            batch.forEach(({ item }, i) => save(recs[i], item));
            return;
          }
          // the batch failed as a whole (a worker crash): retry its photos one by one so that
          // only the culprit is recorded as failed
          for (const { item, key } of batch) {
            let rec: PhotoRecord | null = null;
            let why = err?.message ?? 'unknown';
            if (batch.length > 1) {
              try {
                rec = (await pool.run([{ key, id: item.id, path: item.path, cropDir: p.crops, cropBase: safeName(item.id), facesPerPhoto: filters.facesPerPhoto, template, decode: o.decode, jpegQuality: o.jpegQuality }]))[0];
              } catch (e) {
                why = (e as Error).message;
              }
            }
            save(rec ?? { key, id: item.id, path: item.path, status: 'failed', reason: `processing error (${why.slice(0, 160)})`, info: {}, notes: [], faces: [], detected: 0, ms: 0 }, item);
          }
        },
        pool.size * 2,
      );
    } finally {
      fs.closeSync(out);
      await pool.close();
    }
    compactRecords(p.records, cache, byId);
  }
  tracker.finish();

  const verdicts = judge(items, byId, filters);
  // a face repeating a better one (the same photo re-encoded, resized, slightly cropped) is not kept
  const nearDuplicates = o.dedupe === false ? null : await markNearDuplicates(verdicts, { ...o.dedupe, crops: p.crops, cacheFile: p.signatures });
  const kept = selectBest(verdicts, keep);
  await writeOutputs(p, source, kept, template);
  writeManifest(p.manifestCsv, verdicts, kept);
  const rows = funnel(verdicts);
  const seconds = (Date.now() - t0) / 1000;
  const result: PrepareResult = {
    source: { kind: source.kind, label: source.label, root: source.root, photos: items.length },
    measured,
    cached: tracker.cached,
    failed: verdicts.filter((v) => v.step === 'unreadable or not an image').length,
    verdicts,
    kept,
    funnel: rows,
    filters,
    pose: referencePose(byId.values(), filters.poseReference),
    bias: { rows: [], warnings: [], candidates: 0, kept: 0 },
    nearDuplicates,
    keep,
    paths: p,
    seconds,
    rate: items.length / Math.max(seconds, 1e-3),
    backend,
  };
  result.bias = preparationBias(result, { attributes: cfg.attributes });
  writeFileAtomic(
    p.summary,
    JSON.stringify({ source: result.source, measured, cached: result.cached, failed: result.failed, kept: kept.length, keep, filters, pose: result.pose, bias: result.bias, nearDuplicates, funnel: rows, seconds, rate: result.rate, backend, finishedAt: new Date().toISOString() }, null, 2),
  );
  return result;
}

/** Rewrites the cache without stale lines when they make up a good part of it. */
function compactRecords(file: string, before: Map<string, PhotoRecord>, current: Map<string, PhotoRecord>): void {
  const stale = before.size - [...current.values()].filter((r) => before.has(r.key)).length;
  if (stale < 100 || stale < 0.2 * before.size) return;
  const keepKeys = new Set([...current.values()].map((r) => r.key));
  const all = readRecords(file);
  writeLinesAtomic(file, [...all].filter(([key]) => keepKeys.has(key)).map(([, rec]) => JSON.stringify(rec)));
}

/** Places the kept crops in data/processed/faces/ (hard links, copies where links fail) and writes faces.json and the landmark files. */
async function writeOutputs(p: PreparePaths, source: PhotoSource, kept: Verdict[], template: AlignTemplate): Promise<void> {
  const faces: KeptFace[] = [];
  const lm68 = new Float32Array(kept.length * LANDMARK68_VALUES);
  const mesh = new Float32Array(kept.length * MESH468_VALUES);
  replaceDirAtomic(p.faces, (fresh) => {
    kept.forEach((v, rank) => {
      const f = v.face!;
      const name = f.crop as string;
      linkOrCopy(path.join(p.crops, name), path.join(fresh, name));
      faces.push({
        rank, name, photo: v.item.id, face: f.index, quality: Math.round((v.quality as number) * 10000) / 10000,
        yaw: f.yaw, pitch: f.pitch, roll: f.roll, sharpness: f.sharpness, blur: f.blur, eyeDistance: f.eyeDistance, brightness: f.brightness,
        outside: f.outside, transform: f.transform, photoSize: [v.photo?.info.width ?? 0, v.photo?.info.height ?? 0],
        meta: v.item.meta ?? null,
      });
      lm68.set(f.lm68, rank * LANDMARK68_VALUES);
      mesh.set(decodeMesh(f.mesh), rank * MESH468_VALUES);
    });
  });
  const file: FacesFile = { version: 1, source: { kind: source.kind, label: source.label, root: source.root }, template, cropSize: template.size, faces };
  writeFileAtomic(p.facesJson, JSON.stringify(file));
  writeFileAtomic(p.landmarks68, lm68);
  writeFileAtomic(p.mesh468, mesh);
}

/** The kept faces and their landmarks, as written by the last preparation. */
export interface PreparedFaces {
  file: FacesFile;
  /** Absolute path of each kept face's crop, in rank order. */
  images: string[];
  /** 68 landmarks per face (x, y in crop pixels), rank order: LANDMARK68_VALUES per face. */
  landmarks68: Float32Array;
  /** 468 mesh points per face (x, y), rank order: MESH468_VALUES per face. */
  mesh468: Float32Array;
}

/** Reads the preparation's outputs (for the clustering and average stages). */
export function loadPrepared(paths: ProjectPaths = projectPaths()): PreparedFaces {
  const p = preparePaths(paths);
  if (!fs.existsSync(p.facesJson)) {
    throw new Error(`No prepared faces in ${paths.processed}: run the preparation first (notebook 01, or npm start)`);
  }
  const file = JSON.parse(fs.readFileSync(p.facesJson, 'utf8')) as FacesFile;
  const read = (f: string, per: number): Float32Array => {
    const buf = fs.readFileSync(f);
    const arr = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (arr.length !== file.faces.length * per) throw new Error(`${f} holds ${arr.length / per} faces but faces.json lists ${file.faces.length}: re-run the preparation`);
    return arr;
  };
  return {
    file,
    images: file.faces.map((f) => path.join(p.faces, f.name)),
    landmarks68: read(p.landmarks68, LANDMARK68_VALUES),
    mesh468: read(p.mesh468, MESH468_VALUES),
  };
}

/** CelebA attributes the selection-bias table shows by default (traits, not image defects, first). */
export const BIAS_ATTRIBUTES = ['Male', 'Young', 'Pale_Skin', 'Gray_Hair', 'Eyeglasses', 'Smiling', 'Wearing_Hat', 'Blurry'];

/**
 * The selection's bias: kept faces against all candidates (one per labelled photo) on the source's
 * metadata (WIKI: gender, age at photo) and, when given, a CelebA-style attributes.csv (default:
 * the run's FACETYPE_ATTRIBUTES or the attributes.csv beside the photos).
 */
export function preparationBias(
  result: PrepareResult,
  options: { attributes?: string | null; columns?: string[]; maxShift?: number } = {},
): BiasTable {
  const file = options.attributes !== undefined ? options.attributes : runConfig({ source: result.source.root }).attributes;
  let table: ReturnType<typeof readAttributes> | null = null;
  let unreadable: string | null = null;
  try {
    table = file ? readAttributes(file) : null;
  } catch (e) {
    unreadable = `attributes not used: ${(e as Error).message}`;
  }
  const columns = (options.columns ?? BIAS_ATTRIBUTES).filter((c) => table?.columns.includes(c));
  const kept = new Set(result.kept.map((v) => v.item.id));
  const seen = new Set<string>();
  const samples: TraitSample[] = [];
  for (const v of result.verdicts) {
    if (seen.has(v.item.id)) continue;
    seen.add(v.item.id);
    const traits = { ...traitsFromMeta(v.item.meta), ...(table ? traitsFromAttributes(table.byFile.get(path.basename(v.item.id)), columns) : {}) };
    if (Object.values(traits).some((t) => t !== null)) samples.push({ kept: kept.has(v.item.id), traits });
  }
  const bias = selectionBias(samples, options.maxShift !== undefined ? { maxShift: options.maxShift } : {});
  if (unreadable) bias.warnings.push(unreadable);
  return bias;
}

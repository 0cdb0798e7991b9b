/**
 * The clustering stage, step by step (notebook 02 calls these one per cell), from the faces'
 * features to explained clusters on disk:
 *
 *  1. `faceMatrix`: L2-normalised 128-d descriptors, plus age and gender at a small weight;
 *  2. `reduce`: PCA keeping a share of the variance;
 *  3. `analyzeK` (analyze.ts): K-Means for k = 2..10 with its metrics and bootstrap stability;
 *  4. `chooseK` (cluster/choose-k.ts): the elbow rule, or the k the user fixed;
 *  5. `alternatives`: DBSCAN (eps from the k-distance knee), Ward and a Gaussian mixture, compared
 *     with K-Means on the same metrics;
 *  6. `explainClusters` (explain.ts) and `writeClusters`: clusters.csv, clusters.json and the faces
 *     linked into data/processed/clusters/<n>-<label>/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectPaths, RunConfig } from '../config';
import { extractFeatures, type FaceFeatures } from './features';
import { loadPrepared, type PreparedFaces } from './prepare';
import { formatCsv, parseCsv, type CsvValue } from '../io/csv';
import { linkOrCopy, replaceDirAtomic, writeFileAtomic } from '../io/atomic';
import { DataError, InvalidParameterError, integerInRange, numberInRange, withDefaults } from '../validate';
import { analyzeK, type KAnalysis } from '../cluster/analyze';
import { chooseK, type KChoice } from '../cluster/choose-k';
import { compareMethods, type Comparison, type MethodRun } from '../cluster/compare';
import { dbscan, kDistances, suggestEps, type DBSCANResult, type EpsSuggestion } from '../cluster/dbscan';
import { EXPRESSIONS, type ClusterExplanations } from './explain';
import { externalLabels } from './labels';
import { compareTypings, faceTypes, typesSummary, type FaceTypes } from './type-tree';
import { ATTRIBUTE, ATTRIBUTE_DIM } from '../features/layout';
import { traitCells } from '../features/attribute-traits';
import type { FaceTrait } from '../features/traits';
import { gmm, type GMMResult } from '../cluster/gmm';
import { concatColumns, fromRows, l2normalizeRows, matrix, standardizeColumns, type Matrix } from '../cluster/matrix';
import { kmeans } from '../cluster/kmeans';
import { useWasmKernels } from '../cluster/wasm';
import { adjustedRandIndex, normalizedMutualInfo, silhouetteScore } from '../cluster/metrics';
import { pca, transform, type PCAResult } from '../cluster/pca';
import { ward, type WardResult } from '../cluster/ward';

export interface FaceMatrixOptions {
  /** Weight of the standardised age column next to the unit-length descriptor. */
  ageWeight: number;
  /** Weight of the standardised male-probability column. */
  genderWeight: number;
  /** Weight of the standardised expression columns (0: clusters should not follow smiles). */
  expressionWeight: number;
}

/**
 * Defaults measured on CelebA (see notebook 02's comparison): the descriptor alone groups faces by
 * identity-like features; age and gender at a small weight make the groups follow what a person
 * sees first, without drowning the descriptor (their columns carry ~15% of the variance).
 */
export const FACE_MATRIX_DEFAULTS: FaceMatrixOptions = { ageWeight: 0.25, genderWeight: 0.25, expressionWeight: 0 };

export interface FaceMatrix {
  matrix: Matrix;
  /** Name of every column. */
  columns: string[];
  options: FaceMatrixOptions;
}

/** The matrix to cluster: descriptor (L2) and weighted, standardised attribute columns. */
export function faceMatrix(f: FaceFeatures, options: Partial<FaceMatrixOptions> = {}): FaceMatrix {
  const o = withDefaults('faceMatrix options', FACE_MATRIX_DEFAULTS, options);
  numberInRange('ageWeight', o.ageWeight, 0, 10);
  numberInRange('genderWeight', o.genderWeight, 0, 10);
  numberInRange('expressionWeight', o.expressionWeight, 0, 10);
  const n = f.names.length;
  if (n === 0) throw new DataError('no faces to cluster: the preparation kept none');
  const desc = matrix(n, 128, Float64Array.from(f.descriptors));
  for (let i = 0; i < desc.data.length; i++) {
    if (!Number.isFinite(desc.data[i])) throw new DataError(`the descriptor of ${f.names[Math.floor(i / 128)]} holds a non-finite value`);
  }
  const blocks = [{ x: l2normalizeRows(desc), weight: 1 }];
  const columns = Array.from({ length: 128 }, (_, i) => `d${i}`);
  const attrColumn = (j: number) => matrix(n, 1, Float64Array.from({ length: n }, (_, i) => f.attributes[i * ATTRIBUTE_DIM + j]));
  // a constant column (one face, or all the same) standardises to zeros rather than NaN
  const std = (m: Matrix) => {
    const s = standardizeColumns(m).matrix;
    for (let i = 0; i < s.data.length; i++) if (!Number.isFinite(s.data[i])) s.data[i] = 0;
    return s;
  };
  if (o.ageWeight > 0) {
    blocks.push({ x: std(attrColumn(0)), weight: o.ageWeight });
    columns.push('age');
  }
  if (o.genderWeight > 0) {
    blocks.push({ x: std(attrColumn(1)), weight: o.genderWeight });
    columns.push('male');
  }
  if (o.expressionWeight > 0) {
    const ex = matrix(n, 7, Float64Array.from({ length: n * 7 }, (_, i) => f.attributes[Math.floor(i / 7) * ATTRIBUTE_DIM + ATTRIBUTE.firstExpression + (i % 7)]));
    blocks.push({ x: std(ex), weight: o.expressionWeight / Math.sqrt(7) });
    columns.push(...EXPRESSIONS);
  }
  return { matrix: concatColumns(blocks), columns, options: o };
}

export interface Reduced {
  pca: PCAResult;
  /** The data projected on the kept components. */
  X: Matrix;
}

/** PCA keeping the fewest components that explain `varianceToKeep` of the variance. */
export function reduce(fm: FaceMatrix | Matrix, varianceToKeep = 0.9): Reduced {
  numberInRange('varianceToKeep', varianceToKeep, 0.01, 1);
  const m = 'matrix' in fm ? fm.matrix : fm;
  const p = pca(m, { varianceToKeep });
  return { pca: p, X: transform(p, m) };
}

export interface Alternatives {
  kDistances: Float64Array;
  eps: EpsSuggestion;
  minSamples: number;
  dbscan: DBSCANResult;
  ward: WardResult;
  gmm: GMMResult;
  comparison: Comparison;
  /** Agreement (ARI) of each alternative with K-Means at the chosen k. */
  agreement: Record<string, number>;
}

/** DBSCAN, Ward and a Gaussian mixture on the same data, compared with K-Means at k. */
export function alternatives(X: Matrix, kmeansLabels: Int32Array, k: number, seed = 42): Alternatives {
  const minSamples = Math.max(4, Math.min(20, Math.round(Math.log(X.rows) * 1.5)));
  const kd = kDistances(X, minSamples);
  const eps = suggestEps(kd);
  const db = dbscan(X, { eps: eps.eps, minSamples });
  const w = ward(X, { k, seed });
  const g = gmm(X, { k, seed });
  const runs: MethodRun[] = [
    { method: 'K-Means', params: { k, init: 'k-means++' }, labels: kmeansLabels },
    { method: 'Ward', params: { k }, labels: w.labels },
    { method: 'Gaussian mixture', params: { k, covariance: 'diagonal' }, labels: g.labels },
    { method: 'DBSCAN', params: { eps: eps.eps, minSamples }, labels: db.labels },
  ];
  const comparison = compareMethods(X, runs, { metric: 'cosine' });
  return {
    kDistances: kd,
    eps,
    minSamples,
    dbscan: db,
    ward: w,
    gmm: g,
    comparison,
    agreement: {
      Ward: adjustedRandIndex(kmeansLabels, w.labels),
      'Gaussian mixture': adjustedRandIndex(kmeansLabels, g.labels),
      DBSCAN: adjustedRandIndex(kmeansLabels, db.labels),
    },
  };
}

/** Why K-Means stays the method, from the comparison (one paragraph). */
export function methodJustification(alt: Alternatives, k: number): string {
  const row = (m: string) => alt.comparison.rows.find((r) => r.method === m);
  const km = row('K-Means');
  const parts: string[] = [];
  if (km) parts.push(`K-Means at k=${k} has a cosine silhouette of ${km.silhouette.toFixed(3)} and Davies-Bouldin ${km.daviesBouldin.toFixed(2)}`);
  for (const m of ['Ward', 'Gaussian mixture']) {
    const r = row(m);
    if (r) parts.push(`${m} ${r.silhouette.toFixed(3)} / ${r.daviesBouldin.toFixed(2)} (agreement with K-Means ARI ${alt.agreement[m].toFixed(2)})`);
  }
  const d = row('DBSCAN');
  if (d) {
    parts.push(
      `DBSCAN (eps ${alt.eps.eps.toPrecision(3)} from the k-distance knee, minSamples ${alt.minSamples}) finds ${d.nClusters} cluster${d.nClusters === 1 ? '' : 's'} and labels ${(100 * d.noiseShare).toFixed(0)}% of the faces noise`,
    );
  }
  const best = alt.comparison.rows.filter((r) => r.method !== 'DBSCAN').sort((a, b) => b.silhouette - a.silhouette)[0];
  const verdict = best && best.method !== 'K-Means' && km && best.silhouette - km.silhouette > 0.02
    ? `${best.method} scores a slightly better silhouette, but K-Means is kept: its stability was measured on bootstrap samples and its centroids describe each cluster.`
    : 'K-Means is kept: it scores as well as or better than the alternatives, its stability was measured on bootstrap samples, and its centroids describe each cluster.';
  const density = d && (d.nClusters <= 1 || d.noiseShare > 0.3)
    ? ' Faces do not form density-separated groups, so a density method mostly finds one mass plus noise: the types are regions of a continuum, which is why the partition methods suit them.'
    : '';
  return `${parts.join('; ')}. ${verdict}${density}`;
}

/** A short file-system-safe slug of a cluster label. */
export function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'cluster';
}

export interface ClusterOutputs {
  csv: string;
  json: string;
  dir: string;
  folders: string[];
}

export interface ClustersFile {
  version: 1;
  k: number;
  method: string;
  kChoice: KChoice;
  methodJustification: string;
  clusters: {
    cluster: number;
    label: string;
    folder: string;
    size: number;
    ageMean: number;
    ageStd: number;
    maleShare: number;
    expressions: Record<string, number>;
    dominant: string[];
    closest: string[];
    outliers: string[];
  }[];
  scores: { k: number; inertia: number; silhouette: number; daviesBouldin: number; calinskiHarabasz: number; stability: number }[];
  comparison: Comparison['rows'];
  features: { columns: number; pcaComponents: number; varianceKept: number };
  /** The two-level types (stages/type-tree.ts), when the run built them: `k` is then the number of leaves. */
  tree?: TypesSummary;
}

/** What clusters.json keeps of the two-level types. */
export interface TypesSummary {
  level1K: number;
  nodes: { id: string; level: number; parent: number; leaf: number | null; size: number; label: string; parentId: string; mixed: boolean }[];
  level1Labels: string[];
  justification: string;
  /** Display-ready rows of the types x traits share table. */
  shares: Record<string, string | number>[];
  /** The same shares as numbers, for the heat map (NaN is written as null). */
  traitShares: { columns: { trait: string; values: number[]; name: string; validated: boolean }[]; types: number[]; share: number[][]; overall: number[] };
  /** Display-ready rows of the comparison of typings, and the sentence citing it. */
  comparison?: Record<string, string | number>[];
  comparisonJustification?: string;
}

/**
 * Writes clusters.csv (face, cluster, label, distance to the centre, attributes), clusters.json
 * (what the report and the average stage read) and links every face into
 * data/processed/clusters/<n>-<label>/ (hard links; copies where linking fails).
 */
export interface ClustersToWrite {
  prepared: PreparedFaces;
  features: FaceFeatures;
  /** The feature matrix and its PCA reduction the clusters were found in. */
  matrix: FaceMatrix;
  reduced: Reduced;
  analysis: KAnalysis;
  choice: KChoice;
  /** The chosen partition: a label per face and the centres (in the reduced space). */
  labels: Int32Array;
  centroids: Matrix;
  alternatives: Alternatives;
  explained: ClusterExplanations;
  /** The two-level types (type-tree.ts): then `labels` are the leaves and `level1` their level-1 types. */
  tree?: TypesSummary;
  level1?: Int32Array;
  /** Per-face traits (type-tree.ts typeTraits) written as columns of clusters.csv (traitCells). */
  traits?: FaceTrait[];
}

export function writeClusters(paths: ProjectPaths, w: ClustersToWrite): ClusterOutputs {
  const { prepared, labels, centroids, explained: explanations } = w;
  const f = w.features;
  const X = w.reduced.X;
  const info = {
    choice: w.choice, methodJustification: methodJustification(w.alternatives, w.choice.k), analysis: w.analysis,
    comparison: w.alternatives.comparison, reduced: w.reduced, columns: w.matrix.columns.length, tree: w.tree, level1: w.level1,
  };
  const n = labels.length;
  if (n !== prepared.images.length) throw new DataError(`${n} labels for ${prepared.images.length} faces`);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    let s = 0;
    for (let j = 0; j < X.cols; j++) {
      const d = X.data[i * X.cols + j] - centroids.data[c * centroids.cols + j];
      s += d * d;
    }
    dist[i] = Math.sqrt(s);
  }
  const byCluster = new Map(explanations.clusters.map((c) => [c.cluster, c]));
  const folderOf = (c: number) => `${c}-${slug(byCluster.get(c)?.label ?? `cluster ${c}`)}`;
  const rows: Record<string, CsvValue>[] = [];
  for (let i = 0; i < n; i++) {
    const meta = prepared.file.faces[i];
    const a = f.attributes.subarray(i * ATTRIBUTE_DIM, (i + 1) * ATTRIBUTE_DIM);
    const row: Record<string, CsvValue> = {
      face: meta.name,
      photo: meta.photo,
      cluster: labels[i],
      ...(info.level1 ? { type1: info.level1[i] } : {}),
      label: byCluster.get(labels[i])?.label ?? '',
      distance: Math.round(dist[i] * 1e4) / 1e4,
      age: Math.round(a[0] * 10) / 10,
      male: Math.round(a[1] * 1000) / 1000,
    };
    EXPRESSIONS.forEach((e, t) => (row[e] = Math.round(a[ATTRIBUTE.firstExpression + t] * 1000) / 1000));
    row.quality = meta.quality;
    row.name = meta.meta?.name ?? null;
    row.meta_gender = meta.meta?.gender ?? null;
    row.meta_age = meta.meta?.age ?? null;
    if (w.traits) Object.assign(row, traitCells(w.traits, i));
    rows.push(row);
  }
  const csv = path.join(paths.processed, 'clusters.csv');
  const traitColumns = w.traits && n ? Object.keys(traitCells(w.traits, 0)) : [];
  const columns = ['face', 'photo', 'cluster', ...(info.level1 ? ['type1'] : []), 'label', 'distance', 'age', 'male', ...EXPRESSIONS, 'quality', 'name', 'meta_gender', 'meta_age', ...traitColumns];
  writeFileAtomic(csv, formatCsv(columns, rows));
  // folders: rebuilt from scratch (they only hold links to the kept faces)
  const folders = new Set<string>();
  replaceDirAtomic(paths.clusters, (fresh) => {
    for (let i = 0; i < n; i++) {
      const folder = folderOf(labels[i]);
      const dir = path.join(fresh, folder);
      if (!folders.has(folder)) {
        fs.mkdirSync(dir, { recursive: true });
        folders.add(folder);
      }
      linkOrCopy(prepared.images[i], path.join(dir, path.basename(prepared.images[i])));
    }
  });
  const file: ClustersFile = {
    version: 1,
    k: info.tree ? explanations.clusters.length : info.choice.k,
    method: info.tree ? 'K-Means, two levels' : 'K-Means',
    kChoice: info.choice,
    methodJustification: info.methodJustification,
    clusters: explanations.clusters.map((c) => ({
      cluster: c.cluster,
      label: c.label,
      folder: folderOf(c.cluster),
      size: c.size,
      ageMean: c.ageMean,
      ageStd: c.ageStd,
      maleShare: c.maleShare,
      expressions: c.expressions,
      dominant: c.dominantExpressions.map((d) => d.expression),
      closest: c.closest.map((i) => prepared.file.faces[i].name),
      outliers: c.outliers.map((i) => prepared.file.faces[i].name),
    })),
    scores: info.analysis.scores.map((s) => ({ k: s.k, inertia: s.inertia, silhouette: s.silhouette, daviesBouldin: s.daviesBouldin, calinskiHarabasz: s.calinskiHarabasz, stability: s.stability })),
    comparison: info.comparison.rows,
    features: { columns: info.columns, pcaComponents: info.reduced.pca.nComponents, varianceKept: info.reduced.pca.cumulativeVarianceRatio[info.reduced.pca.nComponents - 1] },
    ...(info.tree ? { tree: info.tree } : {}),
  };
  const json = path.join(paths.processed, 'clusters.json');
  writeFileAtomic(json, JSON.stringify(file, null, 1));
  return { csv, json, dir: paths.clusters, folders: [...folders].sort((a, b) => parseInt(a) - parseInt(b)) };
}

/** Reads clusters.json (written by writeClusters) and the labels from clusters.csv, in face order. */
export function loadClusters(paths: ProjectPaths): { file: ClustersFile; labels: Int32Array; faces: string[]; level1: Int32Array | null } {
  const json = path.join(paths.processed, 'clusters.json');
  if (!fs.existsSync(json)) throw new Error(`No clusters in ${paths.processed}: run the clustering first (notebook 02, or npm start)`);
  const file = JSON.parse(fs.readFileSync(json, 'utf8')) as ClustersFile;
  const { rows } = parseCsv(fs.readFileSync(path.join(paths.processed, 'clusters.csv'), 'utf8'));
  const faces = rows.map((r) => r.face);
  const labels = Int32Array.from(rows, (r) => Number(r.cluster));
  const level1 = rows.length && 'type1' in rows[0] ? Int32Array.from(rows, (r) => Number(r.type1)) : null;
  return { file, labels, faces, level1 };
}

/** What the clusters are scored against, naming the run's actual source (for the notebook and the report). */
export function externalLabelsNote(prepared: PreparedFaces, external: { source: string } | null): string {
  const src = prepared.file.source;
  const what = src.kind === 'demo' ? 'the demo photos' : src.kind === 'wiki' ? 'the WIKI photos' : `the photos of ${src.label}`;
  return external
    ? `Labels of ${what}: ${external.source}.`
    : `No external labels for ${what} (no attributes.csv beside the folder, no usable metadata): nothing to score against.`;
}

export interface FeatureSetRow {
  features: string;
  columns: number;
  components: number;
  silhouette: number;
  /** NMI between the clusters and each external label. */
  nmi: Record<string, number>;
}

/**
 * Compares feature sets at a given k: the descriptor alone, with age and gender (the default),
 * and with expressions too. Same PCA share, same K-Means seed; scored by cosine silhouette and,
 * where external labels exist, NMI with them (higher = clusters follow that attribute).
 */
export function compareFeatureSets(f: FaceFeatures, k: number, external: { table: Record<string, Float64Array> } | null, seed = 42): FeatureSetRow[] {
  integerInRange('k', k, 2, 10);
  const sets: [string, Partial<FaceMatrixOptions>][] = [
    ['descriptor only', { ageWeight: 0, genderWeight: 0, expressionWeight: 0 }],
    ['descriptor + age + gender (default)', {}],
    ['descriptor + age + gender + expressions', { expressionWeight: 0.25 }],
  ];
  return sets.map(([name, opts]) => {
    const fm = faceMatrix(f, opts);
    const r = reduce(fm, 0.9);
    const km = kmeans(r.X, { k, nInit: 5, seed });
    const nmi: Record<string, number> = {};
    if (external) for (const [a, col] of Object.entries(external.table)) nmi[a] = normalizedMutualInfo(col, km.labels);
    return { features: name, columns: fm.columns.length, components: r.pca.nComponents, silhouette: silhouetteScore(r.X, km.labels, { metric: 'cosine' }), nmi };
  });
}

/**
 * The k to explore for n faces: 2..10 (the task's limit), narrowed for small sets so that every
 * k leaves at least a few faces per cluster and the 80% bootstrap subsets can still hold kMax
 * clusters (the demo keeps a dozen faces).
 */
export function kRange(n: number, fraction = 0.8, fixed: number | 'auto' = 'auto'): { kMin: number; kMax: number } {
  integerInRange('n', n, 0);
  const kMax = Math.min(10, Math.floor(n * fraction) - 1, Math.floor(n / 2));
  if (fixed !== 'auto' && (n < 6 || kMax < fixed)) {
    let need = Math.max(6, 2 * fixed);
    while (Math.min(Math.floor(need * fraction) - 1, Math.floor(need / 2)) < fixed) need++;
    throw new DataError(`only ${n} faces: k = ${fixed} needs at least ${need}`);
  }
  if (n < 6 || kMax < 2) throw new DataError(`only ${n} faces: at least 6 are needed to compare k = 2 and more`);
  return { kMin: 2, kMax };
}

/** The K analysis as notebook 02 runs it: k = 2..10 (fewer for small sets), cosine silhouette, bootstrap stability. */
export function analyzeTypes(X: Matrix, cfg: RunConfig, options: { bootstrapSamples?: number } = {}): Promise<KAnalysis> {
  useWasmKernels(cfg.wasmKernels);
  return analyzeK(X, { ...kRange(X.rows, 0.8, cfg.k), nInit: 10, metric: 'cosine', seed: cfg.seed, bootstrap: { samples: options.bootstrapSamples ?? 20, fraction: 0.8 } });
}

export interface TypesStageResult {
  features: FaceFeatures;
  analysis: KAnalysis;
  choice: KChoice;
  /** The two-level types (type-tree.ts). */
  types: FaceTypes;
  outputs: ClusterOutputs;
  seconds: { features: number; analysis: number; alternatives: number; total: number };
}

/**
 * Notebook 02's steps in one call (for scripts, benchmarks and tests; `npm start` runs the
 * notebook itself): features, PCA, the k analysis and choice, the alternatives, explanations and outputs.
 */
export async function runTypesStage(cfg: RunConfig, options: { bootstrapSamples?: number; onProgress?: false } = {}): Promise<TypesStageResult> {
  const t0 = Date.now();
  const prepared = loadPrepared(cfg.paths);
  const feats = await extractFeatures({ dataDir: cfg.paths.data, workers: cfg.workers, onProgress: options.onProgress === false ? false : null }, prepared);
  const t1 = Date.now();
  const fm = faceMatrix(feats);
  const reduced = reduce(fm, 0.9);
  const analysis = await analyzeTypes(reduced.X, cfg, { bootstrapSamples: options.bootstrapSamples });
  const choice = chooseK(analysis, { k: cfg.k });
  const chosen = analysis.scores.find((s) => s.k === choice.k)!;
  const t2 = Date.now();
  const alt = alternatives(reduced.X, chosen.labels, choice.k, cfg.seed);
  const t3 = Date.now();
  const types = await faceTypes(reduced.X, analysis, choice.k, feats);
  const external = externalLabels(prepared, cfg.attributes);
  const typings = await compareTypings(reduced.X, analysis, choice.k, types.tree, types.traits, external?.table ?? null, { seed: cfg.seed });
  const outputs = writeClusters(cfg.paths, {
    prepared, features: feats, matrix: fm, reduced, analysis, choice, labels: types.tree.leaves, centroids: types.centroids, alternatives: alt, explained: types.explained,
    tree: typesSummary(types, typings), level1: types.tree.level1, traits: types.traits,
  });
  return {
    features: feats, analysis, choice, types, outputs,
    seconds: { features: (t1 - t0) / 1000, analysis: (t2 - t1) / 1000, alternatives: (t3 - t2) / 1000, total: (Date.now() - t0) / 1000 },
  };
}

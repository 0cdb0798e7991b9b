/**
 * Choosing the number of clusters: `analyzeK` fits K-Means for every k in [kMin, kMax] and
 * measures each fit (inertia, silhouette, Davies-Bouldin, Calinski-Harabasz, bootstrap
 * stability); `chooseK` (choose-k.ts) applies the documented rule to those numbers and explains it.
 *
 * Stability of k: `bootstrap.samples` K-Means fits (nInit restarts each) on random subsets of
 * `fraction` of the points, drawn without replacement; each is compared with the full fit on the
 * points of its subset by the adjusted Rand index. The mean ARI is the stability (1: the same
 * partition every time; below ~0.8 the partition depends on which faces happen to be there).
 * The same subsets serve every k.
 *
 * Speed: restarts and bootstrap fits run on worker threads over shared memory (identical results
 * with any number of workers); the silhouettes of all k come from one pass (cosine: O(n k d)
 * through cluster sums; euclidean: one pass over all pairs, shared by the workers).
 */
import { DataError, InvalidParameterError, integerInRange, numberInRange, oneOf, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { type KMeansResult, type KMeansRun, kmeansResult } from './kmeans';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';
import {
  type Metric, adjustedRandIndex, calinskiHarabasz, daviesBouldin, euclideanSilhouettesWith, nanMean,
  silhouetteSamplesMany,
} from './metrics';
import { ClusterWorkers, autoWorkers } from './parallel';
import { Random } from './random';

export interface BootstrapOptions {
  /** Number of subsets (default 20; 0 = no stability). */
  samples?: number;
  /** Share of the points in each subset, in (0, 1) (default 0.8). */
  fraction?: number;
  /** K-Means restarts per subset fit (default 3). */
  nInit?: number;
}

export interface AnalyzeKOptions {
  /** Smallest k (default 2). */
  kMin?: number;
  /** Largest k (default 10, the task's limit). */
  kMax?: number;
  /** K-Means restarts per k (default 10). */
  nInit?: number;
  seed?: number;
  /** Silhouette metric: 'cosine' (default) or 'euclidean'. K-Means itself is euclidean. */
  metric?: Metric;
  /** Stability by subsampling (see module comment); `{ samples: 0 }` turns it off. */
  bootstrap?: BootstrapOptions;
  /** Worker threads (0 = auto: one per core, at most 4; 1 = none). */
  workers?: number;
  /** Keep labels, centroids and per-sample silhouettes of every k (default true). */
  keepLabels?: boolean;
}

/** The measurements of one k. */
export interface KScore {
  k: number;
  /** Sum of squared distances to the centroids (elbow chart). */
  inertia: number;
  /** Mean silhouette (higher is better, -1..1). */
  silhouette: number;
  /** Davies-Bouldin index (lower is better). */
  daviesBouldin: number;
  /** Calinski-Harabasz index (higher is better). */
  calinskiHarabasz: number;
  /** Mean ARI of the bootstrap fits against the full fit (NaN when not measured). */
  stability: number;
  stabilityStd: number;
  stabilityMin: number;
  /** ARI of every bootstrap fit. */
  stabilityScores: number[];
  sizes: number[];
  nIter: number;
  /** Labels, centroids (best of nInit) and per-sample silhouettes; empty when keepLabels is false. */
  labels: Int32Array;
  centroids: Matrix;
  silhouetteSamples: Float64Array;
  warnings: string[];
}

export interface KAnalysis {
  scores: KScore[];
  ks: number[];
  metric: Metric;
  nInit: number;
  seed: number;
  bootstrap: { samples: number; fraction: number; nInit: number };
  n: number;
  d: number;
  workers: number;
  /** Wall-clock milliseconds of each phase. */
  timings: { kmeans: number; silhouette: number; otherMetrics: number; stability: number; total: number };
  warnings: string[];
}

function sumStd(a: number[]): { mean: number; std: number; min: number } {
  if (a.length === 0) return { mean: NaN, std: NaN, min: NaN };
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) * (v - mean), 0) / a.length);
  return { mean, std, min: Math.min(...a) };
}

/** K-Means for every k in [kMin, kMax] with its quality measures (see module comment). */
export async function analyzeK(X: MatrixInput, options?: AnalyzeKOptions): Promise<KAnalysis> {
  const t0 = performance.now();
  const m = toMatrix(X);
  const { bootstrap: bootOpt, ...rest } = options ?? {};
  const o = withDefaults('analyzeK options', { ...DEFAULTS.analyzeK, bootstrap: undefined } as unknown as Required<AnalyzeKOptions>, rest);
  const boot = withDefaults('bootstrap options', DEFAULTS.analyzeK.bootstrap as Required<BootstrapOptions>, bootOpt);
  const kMin = integerInRange('kMin', o.kMin, 2, 1000);
  const kMax = integerInRange('kMax', o.kMax, kMin, 1000);
  const nInit = integerInRange('nInit', o.nInit, 1, 1000);
  const seed = integerInRange('seed', o.seed, 0, 0xffffffff);
  const metric = oneOf('metric', o.metric, ['euclidean', 'cosine'] as const);
  const samples = integerInRange('bootstrap.samples', boot.samples, 0, 1000);
  const fraction = numberInRange('bootstrap.fraction', boot.fraction, 0, 1);
  if (fraction <= 0 || fraction >= 1) throw new InvalidParameterError('bootstrap.fraction', 'number in (0, 1)', fraction);
  const bootInit = integerInRange('bootstrap.nInit', boot.nInit, 1, 1000);
  const nWorkers = integerInRange('workers', o.workers, 0, 64) || autoWorkers();
  const { rows: n, cols: d } = m;
  if (n <= kMax) throw new DataError(`only ${n} samples for kMax=${kMax} (the silhouette needs at least kMax + 1)`);
  const subN = Math.round(fraction * n);
  if (samples > 0 && subN <= kMax) throw new DataError(`bootstrap subsets of ${subN} samples (fraction ${fraction} of ${n}) are too small for kMax=${kMax}`);

  const ks: number[] = [];
  for (let k = kMin; k <= kMax; k++) ks.push(k);
  const km = DEFAULTS.kmeans;
  const pool = new ClusterWorkers(m.data, n, d, nWorkers);
  try {
    // every restart and every bootstrap fit is a task; the largest k first for load balance
    const rng = new Random(seed);
    const subsets = Array.from({ length: samples }, (_, b) => rng.fork(100_000 + b).sample(n, subN));
    const full = new Map<number, Promise<KMeansRun>[]>();
    const boots = new Map<number, Promise<KMeansRun>[]>();
    const tk = performance.now();
    for (const k of [...ks].reverse()) {
      const runs: Promise<KMeansRun>[] = [];
      for (let r = 0; r < nInit; r++) {
        runs.push(pool.run({ type: 'kmeans', k, seed, r0: r, r1: r + 1, maxIter: km.maxIter, tol: km.tol, algorithm: km.algorithm }) as Promise<KMeansRun>);
      }
      full.set(k, runs);
    }
    // bootstrap fits subset by subset (a worker keeps the sub-matrix it just built)
    for (const k of ks) boots.set(k, []);
    subsets.forEach((subset, b) => {
      for (const k of [...ks].reverse()) {
        boots.get(k)!.push(pool.run({
          type: 'kmeans', k, seed: new Random(seed).fork(200_000 + 1000 * k + b).seed, r0: 0, r1: bootInit,
          maxIter: km.maxIter, tol: km.tol, algorithm: km.algorithm, subset, subsetKey: `boot${b}`,
        }) as Promise<KMeansRun>);
      }
    });
    const fits = new Map<number, KMeansResult>();
    for (const k of ks) fits.set(k, kmeansResult(await Promise.all(full.get(k)!), k, d));
    const kmeansMs = performance.now() - tk;

    // silhouettes of every k in one pass (euclidean: shared by the workers)
    const ts = performance.now();
    const labelings = ks.map((k) => fits.get(k)!.labels);
    const sil = metric === 'cosine' || pool.size <= 1
      ? silhouetteSamplesMany(m, labelings, { metric })
      : await euclideanSilhouettesWith(m, labelings, async (col, L, stride) => {
        const parts = await Promise.all(Array.from({ length: pool.size }, (_, part) =>
          pool.run({ type: 'pairsums', col, L, stride, parts: pool.size, part }, true) as Promise<Float64Array>));
        const total = parts[0];
        for (let p = 1; p < parts.length; p++) for (let i = 0; i < total.length; i++) total[i] += parts[p][i];
        return total;
      });
    const silMs = performance.now() - ts;

    const tm = performance.now();
    const dbs = ks.map((k) => daviesBouldin(m, fits.get(k)!.labels));
    const chs = ks.map((k) => calinskiHarabasz(m, fits.get(k)!.labels));
    const otherMs = performance.now() - tm;

    const tb = performance.now();
    const stab = new Map<number, number[]>();
    for (const k of ks) {
      const fullLabels = fits.get(k)!.labels;
      const runs = await Promise.all(boots.get(k)!);
      stab.set(k, runs.map((run, b) => {
        const sub = subsets[b];
        const ref = new Int32Array(sub.length);
        for (let t = 0; t < sub.length; t++) ref[t] = fullLabels[sub[t]];
        return adjustedRandIndex(ref, run.labels);
      }));
    }
    const stabMs = performance.now() - tb;

    const warnings: string[] = [];
    const scores: KScore[] = ks.map((k, t) => {
      const f = fits.get(k)!;
      const st = sumStd(stab.get(k)!);
      if (f.warnings.length) warnings.push(...f.warnings);
      return {
        k, inertia: f.inertia, silhouette: nanMean(sil[t]), daviesBouldin: dbs[t], calinskiHarabasz: chs[t],
        stability: st.mean, stabilityStd: st.std, stabilityMin: st.min, stabilityScores: stab.get(k)!,
        sizes: f.sizes, nIter: f.nIter,
        labels: o.keepLabels ? f.labels : new Int32Array(0),
        centroids: o.keepLabels ? f.centroids : { rows: 0, cols: d, data: new Float64Array(0) },
        silhouetteSamples: o.keepLabels ? sil[t] : new Float64Array(0),
        warnings: f.warnings,
      };
    });
    return {
      scores, ks, metric, nInit, seed, bootstrap: { samples, fraction, nInit: bootInit }, n, d, workers: pool.size,
      timings: { kmeans: kmeansMs, silhouette: silMs, otherMetrics: otherMs, stability: stabMs, total: performance.now() - t0 },
      warnings,
    };
  } finally {
    await pool.close();
  }
}

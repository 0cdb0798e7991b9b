/**
 * Choosing the number of clusters: `analyzeK` fits K-Means for every k in [kMin, kMax] and
 * measures each fit (inertia, silhouette, Davies-Bouldin, Calinski-Harabasz, bootstrap
 * stability); `chooseK` applies a documented rule to those numbers and explains its choice.
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

export interface ChooseKOptions {
  /** Largest k allowed (default 10). */
  maxK?: number;
  /** Smallest mean bootstrap ARI for a k to count as stable (default 0.8). */
  minStability?: number;
  /** Silhouettes within this of the best are a near-tie, won by the smallest k (default 0.01). */
  tolerance?: number;
}

export interface KChoice {
  k: number;
  /** The rule that decided, in one line. */
  method: string;
  /** The steps of the rule with their numbers, one per line. */
  reasons: string[];
  /** One paragraph citing the numbers, for the report. */
  justification: string;
  /** The k that passed the stability filter. */
  stableKs: number[];
  /** The k whose silhouette is within tolerance of the best stable one. */
  nearTies: number[];
}

/** The minimal shape chooseK reads (an analysis or hand-made numbers). */
export interface KScoreLike {
  k: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  stability: number;
  stabilityScores?: number[];
}

const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : String(v));
const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const ordinal = (r: number): string => (r === 1 ? 'lowest' : r === 2 ? '2nd lowest' : r === 3 ? '3rd lowest' : `${r}th lowest`);
const ordinalHigh = (r: number): string => (r === 1 ? 'highest' : r === 2 ? '2nd highest' : r === 3 ? '3rd highest' : `${r}th highest`);

/**
 * Chooses k from an analysis with a rule a person can check on the charts:
 * 1. only k <= maxK;
 * 2. keep the stable k (mean bootstrap ARI >= minStability); if none is stable, keep all and say so;
 *    if stability was not measured, skip this step;
 * 3. among those, the best mean silhouette; every k within `tolerance` of it is a near-tie and the
 *    smallest such k wins (fewer clusters are easier to explain);
 * 4. Davies-Bouldin (lower better) and Calinski-Harabasz (higher better) ranks of the choice are
 *    reported as a cross-check; when both prefer the same other stable k, the reasons say so.
 */
export function chooseK(analysis: KAnalysis | { scores: KScoreLike[]; bootstrap?: { samples: number } }, options?: ChooseKOptions): KChoice {
  const o = withDefaults('chooseK options', DEFAULTS.chooseK as Required<ChooseKOptions>, options);
  const maxK = integerInRange('maxK', o.maxK, 2);
  const minStab = numberInRange('minStability', o.minStability, -1, 1);
  const tol = numberInRange('tolerance', o.tolerance, 0);
  if (!analysis || !Array.isArray(analysis.scores)) throw new InvalidParameterError('analysis', 'an analyzeK() result', analysis);
  const all = analysis.scores.filter((s) => s.k <= maxK && Number.isFinite(s.silhouette));
  if (all.length === 0) throw new DataError(`chooseK: no k <= maxK=${maxK} with a finite silhouette in the analysis`);
  const reasons: string[] = [];
  const range = `${Math.min(...all.map((s) => s.k))}..${Math.max(...all.map((s) => s.k))}`;
  const measured = all.some((s) => Number.isFinite(s.stability));
  const nBoot = (analysis as { bootstrap?: { samples: number } }).bootstrap?.samples ?? all[0].stabilityScores?.length ?? 0;
  let pool = all;
  let stabilityNote = '';
  if (!measured) {
    reasons.push('stability was not measured (no bootstrap): the choice rests on the silhouette alone');
    stabilityNote = 'stability not measured';
  } else {
    const stable = all.filter((s) => s.stability >= minStab);
    if (stable.length === 0) {
      const best = all.reduce((a, b) => (b.stability > a.stability ? b : a));
      reasons.push(`no k reaches stability ${f2(minStab)} (best: ARI ${f2(best.stability)} at k=${best.k}): every k is kept, the clusters are not reproducible and should be read with care`);
      stabilityNote = 'no k is stable';
    } else {
      pool = stable;
      reasons.push(`stable k (mean bootstrap ARI >= ${f2(minStab)}): ${stable.map((s) => `${s.k} (${f2(s.stability)})`).join(', ')}`);
      const dropped = all.filter((s) => s.stability < minStab);
      if (dropped.length) reasons.push(`unstable, left out: ${dropped.map((s) => `${s.k} (${f2(s.stability)})`).join(', ')}`);
    }
  }
  const bySil = [...pool].sort((a, b) => b.silhouette - a.silhouette || a.k - b.k);
  const top = bySil[0];
  const ties = pool.filter((s) => s.silhouette >= top.silhouette - tol).sort((a, b) => a.k - b.k);
  const chosen = ties[0];
  if (ties.length > 1) {
    reasons.push(`best silhouette ${f3(top.silhouette)} at k=${top.k}; within ${tol} of it: ${ties.map((s) => `k=${s.k} (${f3(s.silhouette)})`).join(', ')}: the smallest, k=${chosen.k}, wins the near-tie`);
  } else {
    reasons.push(`best silhouette among them: k=${chosen.k} (${f3(chosen.silhouette)})`);
  }
  // cross-checks
  const dbRank = 1 + all.filter((s) => s.daviesBouldin < chosen.daviesBouldin).length;
  const chRank = 1 + all.filter((s) => s.calinskiHarabasz > chosen.calinskiHarabasz).length;
  const dbBest = all.reduce((a, b) => (b.daviesBouldin < a.daviesBouldin ? b : a));
  const chBest = all.reduce((a, b) => (b.calinskiHarabasz > a.calinskiHarabasz ? b : a));
  reasons.push(`cross-check: Davies-Bouldin ${f2(chosen.daviesBouldin)} (${ordinal(dbRank)} of ${range}), Calinski-Harabasz ${chosen.calinskiHarabasz.toFixed(0)} (${ordinalHigh(chRank)})`);
  if (dbBest.k === chBest.k && dbBest.k !== chosen.k && pool.includes(dbBest)) {
    reasons.push(`note: Davies-Bouldin and Calinski-Harabasz both prefer k=${dbBest.k} (silhouette ${f3(dbBest.silhouette)}); the silhouette rule keeps k=${chosen.k}`);
  }
  const next = [...all].filter((s) => s.k !== chosen.k).sort((a, b) => b.silhouette - a.silhouette)[0];
  const better = all.filter((s) => s.silhouette > chosen.silhouette).sort((a, b) => b.silhouette - a.silhouette);
  let silPart: string;
  if (better.length === 0) {
    silPart = `silhouette ${f2(chosen.silhouette)} (best of ${range}${next ? `, next ${f2(next.silhouette)} at k=${next.k}` : ''})`;
  } else {
    const parts: string[] = [];
    const stableBetter = better.filter((s) => pool.includes(s));
    const unstableBetter = better.filter((s) => !pool.includes(s));
    parts.push(stableBetter.length
      ? `within ${tol} of the best, ${f3(stableBetter[0].silhouette)} at k=${stableBetter[0].k}: the smaller k wins`
      : `best among stable k`);
    if (unstableBetter.length) parts.push(`higher at unstable ${unstableBetter.map((s) => `k=${s.k}: ${f2(s.silhouette)}`).join(', ')}`);
    silPart = `silhouette ${f3(chosen.silhouette)} (${parts.join('; ')})`;
  }
  const stabPart = Number.isFinite(chosen.stability)
    ? `stability ARI ${f2(chosen.stability)} over ${nBoot} bootstraps${stabilityNote ? ` (${stabilityNote})` : ''}`
    : stabilityNote;
  const justification = `k=${chosen.k}: ${silPart}, ${stabPart}, Davies-Bouldin ${f2(chosen.daviesBouldin)} (${ordinal(dbRank)}), Calinski-Harabasz ${chosen.calinskiHarabasz.toFixed(0)} (${ordinalHigh(chRank)}).`;
  const method = measured
    ? `best silhouette among k <= ${maxK} with stability >= ${f2(minStab)}; near-ties (within ${tol}) go to the smallest k`
    : `best silhouette among k <= ${maxK}; near-ties (within ${tol}) go to the smallest k`;
  return {
    k: chosen.k, method, reasons, justification,
    stableKs: measured ? all.filter((s) => s.stability >= minStab).map((s) => s.k) : all.map((s) => s.k),
    nearTies: ties.map((s) => s.k),
  };
}

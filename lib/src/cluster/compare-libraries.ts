/**
 * Our K-Means and DBSCAN next to the design card's packages on the same data: `ml-kmeans`
 * (mljs) and `density-clustering`. Each is run with the same parameters (K-Means: k, the same
 * number of k-means++ restarts, the lowest inertia kept; DBSCAN: eps, minSamples counting the
 * point itself), timed, and compared with ours by the adjusted Rand index (1: the same partition
 * up to renaming). Inertia is recomputed here from each result's labels (squared distances to
 * the means of its clusters), so the numbers are comparable. Returns plain rows and a display-ready table.
 *
 * Differences kept in mind: density-clustering counts neighbours at distance < eps (ours <= eps)
 * and without the point itself (we pass minSamples - 1); border points reachable from two clusters
 * may join either one; ml-kmeans stops on a per-centroid tolerance of 1e-6 (ours on the total
 * centre shift), so inertias agree to a small tolerance, not bit for bit.
 */
import { DBSCAN as DensityDBSCAN } from 'density-clustering';
import { integerInRange, numberInRange, withDefaults } from '../validate';
import { dbscan } from './dbscan';
import { sqDist } from './kernels';
import { inertiaOf, kmeans } from './kmeans';
import { type MatrixInput, clusterMeans, selectRows, toMatrix, toRows } from './matrix';
import { adjustedRandIndex } from './metrics';
import { Random } from './random';

export interface CompareLibrariesOptions {
  /** K-Means clusters (required). */
  k: number;
  /** DBSCAN radius (required; e.g. suggestEps(kDistances(X, minSamples - 1)).eps). */
  eps: number;
  /** DBSCAN neighbours within eps, the point included (default 5, as ours). */
  minSamples?: number;
  /** K-Means restarts for both implementations (default 10, as ours). */
  nInit?: number;
  seed?: number;
  /**
   * Above this many rows, all four run on a seeded random sample of this many (density-clustering
   * is quadratic in time, ml-kmeans several times slower than ours; default 3,000).
   */
  maxPoints?: number;
}

/** ml-kmeans 7 is an ES module without CommonJS types for our resolution: the part used here. */
type MlKmeans = (data: number[][], k: number, options: { initialization: 'kmeans++'; seed: number }) => { clusters: number[]; centroids: number[][] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mlKmeans = (require('ml-kmeans') as { kmeans: MlKmeans }).kmeans;

const COMPARE_DEFAULTS = { minSamples: 5, nInit: 10, seed: 42, maxPoints: 3000 };

/** One implementation's run. */
export interface LibraryRun {
  method: 'K-Means' | 'DBSCAN';
  implementation: string;
  labels: Int32Array;
  /** Number of clusters (noise not counted). */
  nClusters: number;
  /** Sum of squared distances to the cluster means (K-Means only; NaN for DBSCAN). */
  inertia: number;
  /** Share of noise points (DBSCAN; 0 for K-Means). */
  noiseShare: number;
  /** Wall-clock milliseconds. */
  ms: number;
  /** ARI with our implementation of the same method (1 for ours). */
  ariVsOurs: number;
}

export interface LibraryComparison {
  runs: LibraryRun[];
  /** Display-ready rows: method, implementation, clusters, ARI vs ours, inertia, noise %, ms. */
  table: Record<string, string | number>[];
  /** One display-ready paragraph: agreement and time ratios, and the sample when one was drawn. */
  summary: string;
}

const time = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
};

/** ml-kmeans with `nInit` k-means++ restarts (seeds from ours), lowest inertia kept. */
export function mlKmeansBest(rows: number[][], k: number, nInit: number, seed: number): { labels: Int32Array; centroids: Float64Array } {
  const root = new Random(seed);
  let best: { labels: Int32Array; centroids: Float64Array; inertia: number } | null = null;
  const d = rows[0].length;
  const flat = Float64Array.from(rows.flat());
  for (let r = 0; r < nInit; r++) {
    const res = mlKmeans(rows, k, { initialization: 'kmeans++', seed: root.fork(r).seed });
    const labels = Int32Array.from(res.clusters);
    const centroids = Float64Array.from(res.centroids.flat());
    const inertia = inertiaOf(flat, rows.length, d, centroids, labels);
    if (best === null || inertia < best.inertia) best = { labels, centroids, inertia };
  }
  return best!;
}

/** density-clustering's DBSCAN as labels (-1 noise), with our minSamples convention. */
export function densityDbscan(rows: number[][], eps: number, minSamples: number): Int32Array {
  const clusters = new DensityDBSCAN().run(rows, eps, Math.max(1, minSamples - 1));
  const labels = new Int32Array(rows.length).fill(-1);
  clusters.forEach((c, i) => { for (const p of c) labels[p] = i; });
  return labels;
}

/** Sum of squared distances of the points to the mean of their cluster (noise, -1, left out). */
export function inertiaOfLabels(X: MatrixInput, labels: Int32Array): number {
  const m = toMatrix(X);
  const k = Math.max(-1, ...labels) + 1;
  const clean = labels.map((l) => (l < 0 ? 0 : l));
  const { centroids } = clusterMeans(m, labels, k);
  let s = 0;
  for (let i = 0; i < m.rows; i++) if (labels[i] >= 0) s += sqDist(m.data, i * m.cols, centroids.data, clean[i] * m.cols, m.cols);
  return s;
}

const nClustersOf = (labels: Int32Array): number => new Set(Array.from(labels).filter((l) => l >= 0)).size;
const round = (v: number, digits: number): number | string => (Number.isFinite(v) ? Number(v.toFixed(digits)) : '');

/** Runs and compares the four implementations (see module comment). */
export function compareLibraries(X: MatrixInput, options: CompareLibrariesOptions): LibraryComparison {
  const m = toMatrix(X);
  const o = withDefaults('compareLibraries options', { k: undefined, eps: undefined, ...COMPARE_DEFAULTS } as unknown as Required<CompareLibrariesOptions>, options);
  const k = integerInRange('k', o.k, 1, m.rows);
  const eps = numberInRange('eps', o.eps, 0);
  const minSamples = integerInRange('minSamples', o.minSamples, 1);
  const nInit = integerInRange('nInit', o.nInit, 1, 1000);
  const seed = integerInRange('seed', o.seed, 0, 0xffffffff);
  const maxPoints = integerInRange('maxPoints', o.maxPoints, 2);
  const sampled = m.rows > maxPoints;
  const data = sampled ? selectRows(m, new Random(seed).sample(m.rows, maxPoints)) : m;
  const rows = toRows(data);
  const runs: LibraryRun[] = [];

  const ours = time(() => kmeans(data, { k, nInit, seed }));
  runs.push({ method: 'K-Means', implementation: 'ours', labels: ours.value.labels, nClusters: k, inertia: inertiaOfLabels(data, ours.value.labels), noiseShare: 0, ms: ours.ms, ariVsOurs: 1 });
  const ml = time(() => mlKmeansBest(rows, k, nInit, seed));
  runs.push({
    method: 'K-Means', implementation: 'ml-kmeans', labels: ml.value.labels, nClusters: nClustersOf(ml.value.labels),
    inertia: inertiaOfLabels(data, ml.value.labels), noiseShare: 0, ms: ml.ms,
    ariVsOurs: adjustedRandIndex(ours.value.labels, ml.value.labels),
  });
  const db = time(() => dbscan(data, { eps, minSamples }));
  runs.push({ method: 'DBSCAN', implementation: 'ours', labels: db.value.labels, nClusters: db.value.nClusters, inertia: NaN, noiseShare: db.value.noiseShare, ms: db.ms, ariVsOurs: 1 });
  const dc = time(() => densityDbscan(rows, eps, minSamples));
  runs.push({
    method: 'DBSCAN', implementation: 'density-clustering', labels: dc.value, nClusters: nClustersOf(dc.value), inertia: NaN,
    noiseShare: dc.value.filter((l) => l < 0).length / data.rows, ms: dc.ms, ariVsOurs: adjustedRandIndex(db.value.labels, dc.value),
  });
  const ratio = (a: LibraryRun, b: LibraryRun): string => `${(a.ms / Math.max(b.ms, 1e-3)).toFixed(1)}x`;
  const summary = `On ${sampled ? `a random sample of ${data.rows} of the ${m.rows} rows` : `all ${m.rows} rows`} (${data.cols} columns): ` +
    `ml-kmeans agrees with our K-Means at ARI ${runs[1].ariVsOurs.toFixed(3)} and took ${ratio(runs[1], runs[0])} our time; ` +
    `density-clustering agrees with our DBSCAN at ARI ${runs[3].ariVsOurs.toFixed(3)} and took ${ratio(runs[3], runs[2])} our time.`;
  const table = runs.map((r) => ({
    method: r.method, implementation: r.implementation, clusters: r.nClusters, 'ARI vs ours': round(r.ariVsOurs, 3),
    inertia: round(r.inertia, 2), 'noise %': round(100 * r.noiseShare, 1), ms: Math.round(r.ms),
  }));
  return { runs, table, summary };
}

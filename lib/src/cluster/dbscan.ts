/**
 * DBSCAN (density-based clustering) as scikit-learn's `DBSCAN`, plus the k-distance curve used to
 * choose eps.
 *
 * Neighbour search is exact and brute force over blocks of the pairwise distance matrix (each
 * pair computed once, never the whole matrix in memory): in 128 dimensions trees do not prune, and
 * 9,000 points take a few seconds. A point's neighbourhood includes the point itself (as
 * scikit-learn: `minSamples` counts it). Core points are those with at least minSamples
 * neighbours within eps; clusters are the connected core points plus their border points (a
 * border point reachable from two clusters joins the first one found, scanning points in index
 * order); everything else is noise, label -1.
 *
 * 'cosine' works on L2-normalised rows with distance 1 - cos (0..2).
 */
import { DataError, integerInRange, numberInRange, oneOf, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { dotBlock, pairBlocks, sqNorms } from './kernels';
import { type Matrix, type MatrixInput, clusterMeans, l2normalizeRows, selectRows, toMatrix } from './matrix';
import type { Metric } from './metrics';

export interface DBSCANOptions {
  /** Neighbourhood radius (default 0.5); choose it from `kDistances()` / `suggestEps()`. */
  eps?: number;
  /** Neighbours (the point included) within eps that make a core point (default 5). */
  minSamples?: number;
  /** 'euclidean' (default) or 'cosine' (1 - cosine similarity). */
  metric?: Metric;
  /** Memory guard: above this many neighbour pairs eps is rejected as too large (default 50,000,000, about 400 MB). */
  maxNeighbourPairs?: number;
}

export interface DBSCANResult {
  /** Which estimator made this result (what `predict()` dispatches on). */
  estimator: 'dbscan';
  /** Cluster of every sample, -1 for noise. */
  labels: Int32Array;
  /** nClusters x d means of the clusters' points (noise left out), in the input's space. */
  centroids: Matrix;
  /**
   * The core samples (rows of `coreSampleIndices`; L2-normalised for 'cosine'), as scikit-learn's
   * `components_`: `predict()` gives a new point the cluster of its nearest core sample within eps.
   */
  components: Matrix;
  /** Number of clusters (noise not counted). */
  nClusters: number;
  /** Indices of the core samples, ascending. */
  coreSampleIndices: Int32Array;
  /** Number of noise points and their share of all points. */
  nNoise: number;
  noiseShare: number;
  /** Sizes of the clusters 0..nClusters-1. */
  sizes: number[];
  eps: number;
  minSamples: number;
  metric: Metric;
  /** Degenerate but valid outcomes (everything noise, one cluster...). */
  warnings: string[];
}

function prepared(X: MatrixInput, metric: Metric): Matrix {
  const m = toMatrix(X);
  return metric === 'cosine' ? l2normalizeRows(m) : m;
}

/** DBSCAN clustering (see module comment). Deterministic (no randomness). */
export function dbscan(X: MatrixInput, options?: DBSCANOptions): DBSCANResult {
  const o = withDefaults('dbscan options', DEFAULTS.dbscan as Required<DBSCANOptions>, options);
  const input = toMatrix(X);
  const eps = numberInRange('eps', o.eps, 0);
  if (eps === 0) throw new DataError('eps=0: no point has a neighbour; choose eps from kDistances()');
  const minSamples = integerInRange('minSamples', o.minSamples, 1);
  const metric = oneOf('metric', o.metric, ['euclidean', 'cosine'] as const);
  const maxPairs = integerInRange('maxNeighbourPairs', o.maxNeighbourPairs, 1);
  const m = metric === 'cosine' ? l2normalizeRows(input) : input;
  const n = m.rows;
  // neighbour lists (each pair found once, stored for both points)
  const nb: number[][] = Array.from({ length: n }, () => []);
  let pairs = 0;
  pairBlocks(m.data, n, m.cols, metric, (i0, i1, j0, j1, D) => {
    const nj = j1 - j0;
    for (let i = i0; i < i1; i++) {
      const r = (i - i0) * nj;
      for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) {
        if (D[r + j - j0] <= eps) { nb[i].push(j); nb[j].push(i); pairs++; }
      }
    }
    if (pairs > maxPairs) {
      throw new DataError(`eps=${eps} is too large: over ${maxPairs} neighbour pairs among ${n} points; choose eps from kDistances()`);
    }
  });
  const isCore = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    nb[i].sort((a, b) => a - b);
    if (nb[i].length + 1 >= minSamples) isCore[i] = 1;
  }
  // depth-first expansion (scikit-learn's dbscan_inner)
  const labels = new Int32Array(n).fill(-1);
  let label = 0;
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1 || !isCore[s]) continue;
    let i = s;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = label;
        if (isCore[i]) for (const v of nb[i]) if (labels[v] === -1) stack.push(v);
      }
      if (stack.length === 0) break;
      i = stack.pop()!;
    }
    label++;
  }
  const sizes = new Array<number>(label).fill(0);
  let nNoise = 0;
  for (let i = 0; i < n; i++) labels[i] < 0 ? nNoise++ : sizes[labels[i]]++;
  const core: number[] = [];
  for (let i = 0; i < n; i++) if (isCore[i]) core.push(i);
  const warnings: string[] = [];
  if (label === 0) warnings.push(`DBSCAN found no cluster at eps=${eps}, minSamples=${minSamples}: every point is noise (raise eps or lower minSamples)`);
  else if (label === 1) warnings.push(`DBSCAN found a single cluster at eps=${eps} (${nNoise} noise points): internal metrics need at least 2`);
  if (nNoise > 0.5 * n && label > 0) warnings.push(`${((100 * nNoise) / n).toFixed(0)}% of the points are noise at eps=${eps}`);
  const coreSampleIndices = Int32Array.from(core);
  return {
    estimator: 'dbscan', labels, centroids: clusterMeans(input, labels, label).centroids, components: selectRows(m, coreSampleIndices),
    nClusters: label, coreSampleIndices, nNoise, noiseShare: nNoise / n, sizes, eps, minSamples, metric, warnings,
  };
}

/**
 * `predict()` of DBSCAN (scikit-learn has none; this is the usual extension): a new point joins
 * the cluster of its nearest core sample when that one is within eps, otherwise it is noise (-1).
 */
export function dbscanPredict(model: DBSCANResult, X: MatrixInput): Int32Array {
  const m = prepared(X, model.metric);
  const c = model.components;
  if (c.rows > 0 && m.cols !== c.cols) throw new DataError(`dbscan predict: X has ${m.cols} columns, DBSCAN was fitted on ${c.cols}`);
  const out = new Int32Array(m.rows).fill(-1);
  if (c.rows === 0) return out;
  const d = m.cols, k = c.rows, euclidean = model.metric === 'euclidean';
  const xn = sqNorms(m.data, m.rows, d), cn = sqNorms(c.data, k, d);
  const B = 64;
  const dots = new Float64Array(B * k);
  for (let r0 = 0; r0 < m.rows; r0 += B) {
    const r1 = Math.min(m.rows, r0 + B);
    dotBlock(m.data, r0, r1, d, c.data, k, dots);
    for (let i = r0; i < r1; i++) {
      let best = Infinity, bc = -1;
      for (let q = 0; q < k; q++) {
        const dot = dots[(i - r0) * k + q];
        const v = euclidean ? Math.sqrt(Math.max(0, xn[i] + cn[q] - 2 * dot)) : Math.min(2, Math.max(0, 1 - dot));
        if (v < best) { best = v; bc = q; }
      }
      if (best <= model.eps) out[i] = model.labels[model.coreSampleIndices[bc]];
    }
  }
  return out;
}

export interface KDistanceOptions {
  /** 'euclidean' (default) or 'cosine'. */
  metric?: Metric;
}

/**
 * Distance of every point to its k-th nearest other point (the point itself not counted),
 * sorted ascending: the k-distance curve. With k = minSamples - 1, the share of points whose
 * k-distance is at most eps is exactly the share of core points of DBSCAN at eps.
 */
export function kDistances(X: MatrixInput, k: number, options?: KDistanceOptions): Float64Array {
  const o = withDefaults('kDistances options', { metric: 'euclidean' } as Required<KDistanceOptions>, options);
  const metric = oneOf('metric', o.metric, ['euclidean', 'cosine'] as const);
  const m = prepared(X, metric);
  const n = m.rows;
  integerInRange('k', k, 1);
  if (k > n - 1) throw new DataError(`only ${n} points for k=${k}: the k-th nearest other point needs at least k+1 points`);
  // the k smallest distances of every point, kept sorted (insertion)
  const best = new Float64Array(n * k).fill(Infinity);
  const push = (i: number, v: number): void => {
    const o2 = i * k;
    if (v >= best[o2 + k - 1]) return;
    let t = k - 1;
    while (t > 0 && best[o2 + t - 1] > v) { best[o2 + t] = best[o2 + t - 1]; t--; }
    best[o2 + t] = v;
  };
  pairBlocks(m.data, n, m.cols, metric, (i0, i1, j0, j1, D) => {
    const nj = j1 - j0;
    for (let i = i0; i < i1; i++) {
      const r = (i - i0) * nj;
      for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) { const v = D[r + j - j0]; push(i, v); push(j, v); }
    }
  });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = best[i * k + k - 1];
  return out.sort();
}

export interface EpsSuggestion {
  /** Suggested eps: the k-distance at the knee. */
  eps: number;
  /** Index of the knee in the sorted k-distances. */
  index: number;
  /** Share of points whose k-distance is at most eps (about the share of core points). */
  shareBelow: number;
  method: string;
}

/**
 * Knee of the sorted k-distance curve (Kneedle-style): with both axes scaled to [0, 1], the point
 * farthest below the straight line from the first to the last point, i.e. the largest
 * (x - y). Below it distances grow slowly (dense regions), above it they shoot up (sparse points,
 * noise). A person can check it on the k-distance chart, where it is marked.
 */
export function suggestEps(kDistances: ArrayLike<number>): EpsSuggestion {
  const n = kDistances.length;
  if (n < 3) throw new DataError(`suggestEps: only ${n} k-distances; at least 3 are needed`);
  const y = Float64Array.from(kDistances).sort();
  for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new DataError(`suggestEps: k-distance ${y[i]} at index ${i}`);
  const lo = y[0], hi = y[n - 1];
  let index = n - 1;
  if (hi > lo) {
    let best = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = i / (n - 1) - (y[i] - lo) / (hi - lo);
      if (v > best) { best = v; index = i; }
    }
  }
  const eps = y[index];
  let below = 0;
  for (let i = 0; i < n; i++) if (y[i] <= eps) below++;
  return { eps, index, shareBelow: below / n, method: 'knee of the sorted k-distance curve: largest gap below the chord from first to last point, axes scaled to [0, 1]' };
}

/**
 * K-Means as scikit-learn's `KMeans`: k-means++ greedy seeding (2 + ln k local trials), Lloyd
 * iterations accelerated with Hamerly's triangle-inequality bounds (same fixed point as Lloyd,
 * most distance computations skipped once centres settle), `nInit` restarts keeping the lowest
 * inertia, convergence when labels stop changing or the total squared centre shift is at most
 * `tol * mean(feature variance)`.
 *
 * Empty clusters are re-seeded from the points farthest from their centres (as scikit-learn).
 * When the data has fewer distinct points than k, the result keeps k centroids (duplicates) and
 * carries a warning instead of failing.
 */
import { DataError, InvalidParameterError, integerInRange, numberInRange, oneOf, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { dotBlock, sqDist, sqDistances, sqNorms } from './kernels';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';
import { Random } from './random';
import { bindGram, gramOf } from './wasm';

export interface KMeansOptions {
  /** Number of clusters (required: no default). */
  k: number;
  /** Number of restarts with different seedings; the lowest inertia wins (default 10). */
  nInit?: number;
  /** Maximum Lloyd iterations per restart (default 300). */
  maxIter?: number;
  /** Relative tolerance on the total squared centre shift, times the mean feature variance (default 1e-4). */
  tol?: number;
  /** Seed of the seeding (default 42). Restart r uses stream r of this seed. */
  seed?: number;
  /** 'k-means++' (default), 'random' (k distinct random points) or a k x d matrix of initial centres (then nInit is 1). */
  init?: 'k-means++' | 'random' | Matrix;
  /** 'hamerly' (default, bounds skip most distances) or 'lloyd' (every distance; same result, for checking). */
  algorithm?: 'hamerly' | 'lloyd';
}

export interface KMeansResult {
  /** Which estimator made this result (what `predict()` dispatches on). */
  estimator: 'kmeans';
  /** Cluster index of every sample, 0..k-1. */
  labels: Int32Array;
  /** k x d cluster centres. */
  centroids: Matrix;
  /** Sum of squared distances of samples to their centre (of the best restart). */
  inertia: number;
  /** Lloyd iterations of the best restart. */
  nIter: number;
  /** Whether the best restart converged before maxIter. */
  converged: boolean;
  k: number;
  /** Number of samples in each cluster. */
  sizes: number[];
  /** Inertia of every restart, in restart order. */
  inertias: number[];
  /** Index of the restart kept. */
  bestInit: number;
  /** Degenerate but valid outcomes (fewer distinct points than k, no convergence...). */
  warnings: string[];
}

/** One restart's outcome (internal, also what worker threads send back). */
export interface KMeansRun {
  labels: Int32Array;
  centroids: Float64Array;
  inertia: number;
  nIter: number;
  converged: boolean;
}

/** Validated K-Means options. */
export type ResolvedKMeansOptions = Required<Omit<KMeansOptions, 'init'>> & { init: 'k-means++' | 'random' | Matrix };

export function resolveKMeansOptions(options: KMeansOptions | undefined, n: number, d: number): ResolvedKMeansOptions {
  const defaults = { k: undefined, ...DEFAULTS.kmeans } as unknown as ResolvedKMeansOptions;
  const o = withDefaults('kmeans options', defaults, options as Partial<ResolvedKMeansOptions>);
  integerInRange('k', o.k, 1, 1_000_000);
  integerInRange('nInit', o.nInit, 1, 10_000);
  integerInRange('maxIter', o.maxIter, 1, 1_000_000);
  numberInRange('tol', o.tol, 0);
  integerInRange('seed', o.seed, 0, 0xffffffff);
  oneOf('algorithm', o.algorithm, ['hamerly', 'lloyd'] as const);
  if (typeof o.init === 'string') oneOf('init', o.init, ['k-means++', 'random'] as const);
  else {
    const c = toMatrix(o.init, 'init');
    if (c.rows !== o.k || c.cols !== d) throw new InvalidParameterError('init', `a ${o.k} x ${d} matrix of centres`, `${c.rows} x ${c.cols}`);
    o.init = c;
    o.nInit = 1;
  }
  if (n < o.k) throw new DataError(`only ${n} samples for k=${o.k}`);
  return o;
}

const BLOCK = 256;

/** Absolute tolerance: tol times the mean of the per-feature variances (as scikit-learn). */
export function absoluteTolerance(X: Float64Array, n: number, d: number, tol: number): number {
  if (tol === 0) return 0;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const t = X[i * d + j] - mean[j]; m2[j] += t * t; }
  let s = 0;
  for (let j = 0; j < d; j++) s += m2[j] / n;
  return (s / d) * tol;
}

/**
 * k-means++ greedy seeding (scikit-learn's `_kmeans_plusplus`): the first centre uniformly, each
 * next one the best of 2 + floor(ln k) candidates drawn with probability proportional to the
 * squared distance to the closest centre so far (best = lowest resulting potential).
 */
export function kmeansPlusPlus(X: Float64Array, n: number, d: number, k: number, rng: Random, xn?: Float64Array): Float64Array {
  const norms = xn ?? sqNorms(X, n, d);
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  centers.set(X.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  const cand = new Float64Array(trials * d);
  const candNorm = new Float64Array(trials);
  const dots = new Float64Array(BLOCK * trials);
  for (let i = 0; i < n; i++) closest[i] = sqDist(X, i * d, centers, 0, d);
  let pot = 0;
  for (let i = 0; i < n; i++) pot += closest[i];
  const cum = new Float64Array(n);
  const candDist = new Float64Array(trials * n);
  const ids = new Int32Array(trials);
  const nearest = new Int32Array(n);
  const todo = new Int32Array(n);
  const ccq = new Float64Array(trials * k);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) { acc += closest[i]; cum[i] = acc; }
    for (let t = 0; t < trials; t++) {
      const r = rng.random() * pot;
      // searchsorted (left) in the cumulative sum
      let lo = 0, hi = n;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (cum[mid] < r) lo = mid + 1; else hi = mid; }
      ids[t] = Math.min(lo, n - 1);
      cand.set(X.subarray(ids[t] * d, ids[t] * d + d), t * d);
      candNorm[t] = norms[ids[t]];
    }
    // Distances of the points to the candidates (blocked dot products through the norms), only
    // for points that a candidate may bring closer: if |cand - m|^2 >= 4 |x - m|^2 for x's
    // nearest centre m, the triangle inequality gives |x - cand| >= |x - m| (no change).
    for (let t = 0; t < trials; t++) {
      for (let j = 0; j < c; j++) ccq[t * k + j] = sqDist(cand, t * d, centers, j * d, d);
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      const ci = 4 * closest[i], ni = nearest[i];
      let need = false;
      for (let t = 0; t < trials; t++) if (ccq[t * k + ni] < ci) { need = true; break; }
      if (need) todo[m++] = i;
      else for (let t = 0; t < trials; t++) candDist[t * n + i] = closest[i];
    }
    // the SIMD kernel works on contiguous rows: worth it unless most points were pruned
    const gathered = gramOf(X) === null || m < n / 3 ? todo : null;
    if (gathered === null) { m = n; for (let i = 0; i < n; i++) todo[i] = i; }
    for (let r0 = 0; r0 < m; r0 += BLOCK) {
      const r1 = Math.min(m, r0 + BLOCK);
      dotBlock(X, r0, r1, d, cand, trials, dots, gathered);
      for (let q = r0; q < r1; q++) {
        const i = todo[q];
        const o = (q - r0) * trials;
        for (let t = 0; t < trials; t++) {
          let v = norms[i] + candNorm[t] - 2 * dots[o + t];
          if (v < 0) v = 0;
          candDist[t * n + i] = v < closest[i] ? v : closest[i];
        }
      }
    }
    let best = 0, bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      let p = 0;
      const o = t * n;
      for (let i = 0; i < n; i++) p += candDist[o + i];
      if (p < bestPot) { bestPot = p; best = t; }
    }
    pot = bestPot;
    for (let i = 0; i < n; i++) {
      const v = candDist[best * n + i];
      if (v < closest[i]) { closest[i] = v; nearest[i] = c; }
    }
    centers.set(cand.subarray(best * d, best * d + d), c * d);
  }
  return centers;
}

/** k distinct random rows as centres. */
function randomInit(X: Float64Array, n: number, d: number, k: number, rng: Random): Float64Array {
  const idx = rng.sample(n, k);
  rng.shuffle(idx);
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) centers.set(X.subarray(idx[c] * d, idx[c] * d + d), c * d);
  return centers;
}

/**
 * Per-cluster sums and counts of the points, from scratch. The iterations then keep them up to
 * date point by point (a point that changes cluster moves its values from one sum to the other),
 * so an iteration where few points move costs little.
 */
function clusterSums(X: Float64Array, n: number, d: number, labels: Int32Array, sums: Float64Array, counts: Float64Array): void {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const o = i * d, p = labels[i] * d;
    counts[labels[i]]++;
    let j = 0;
    for (; j + 3 < d; j += 4) {
      sums[p + j] += X[o + j]; sums[p + j + 1] += X[o + j + 1]; sums[p + j + 2] += X[o + j + 2]; sums[p + j + 3] += X[o + j + 3];
    }
    for (; j < d; j++) sums[p + j] += X[o + j];
  }
}

/** Moves point i from cluster `from` to cluster `to` in the running sums. */
function movePoint(X: Float64Array, d: number, i: number, from: number, to: number, sums: Float64Array, counts: Float64Array): void {
  const o = i * d, p = from * d, q = to * d;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const v0 = X[o + j], v1 = X[o + j + 1], v2 = X[o + j + 2], v3 = X[o + j + 3];
    sums[p + j] -= v0; sums[p + j + 1] -= v1; sums[p + j + 2] -= v2; sums[p + j + 3] -= v3;
    sums[q + j] += v0; sums[q + j + 1] += v1; sums[q + j + 2] += v2; sums[q + j + 3] += v3;
  }
  for (; j < d; j++) { const v = X[o + j]; sums[p + j] -= v; sums[q + j] += v; }
  counts[from]--;
  counts[to]++;
}

/**
 * M-step: centres as means of their points. An empty cluster takes the point farthest from its
 * current centre (scikit-learn's relocation); that point moves to it. Returns the number of
 * relocations (none when every point sits on its centre: duplicates, the cluster stays empty).
 */
function updateCenters(
  X: Float64Array, n: number, d: number, k: number, labels: Int32Array,
  oldCenters: Float64Array, out: Float64Array, sums: Float64Array, counts: Float64Array,
): number {
  let empty = 0, moved = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty++;
  if (empty > 0) {
    // farthest points from their (old) centres, largest first
    const dist = new Float64Array(n);
    for (let i = 0; i < n; i++) dist[i] = sqDist(X, i * d, oldCenters, labels[i] * d, d);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[b] - dist[a] || a - b);
    let t = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] !== 0) continue;
      // never empty another cluster by taking its last point
      while (t < n && counts[labels[order[t]]] <= 1) t++;
      // every remaining point sits on its centre (duplicates): moving one cannot help
      if (t >= n || dist[order[t]] <= 0) break;
      const i = order[t++];
      moved++;
      movePoint(X, d, i, labels[i], c, sums, counts);
      labels[i] = c;
    }
  }
  for (let c = 0; c < k; c++) {
    const p = c * d;
    if (counts[c] > 0) {
      const inv = 1 / counts[c];
      for (let j = 0; j < d; j++) out[p + j] = sums[p + j] * inv;
    } else {
      for (let j = 0; j < d; j++) out[p + j] = oldCenters[p + j];
    }
  }
  return moved;
}

/** Sum of squared distances of samples to their centre. */
export function inertiaOf(X: Float64Array, n: number, d: number, centers: Float64Array, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += sqDist(X, i * d, centers, labels[i] * d, d);
  return s;
}

/** Nearest centre of every row (lowest index on ties) and the squared distance to it. */
export function assignNearest(
  X: Float64Array, n: number, d: number, centers: Float64Array, k: number,
  xn?: Float64Array,
): { labels: Int32Array; sqDistances: Float64Array } {
  const labels = new Int32Array(n);
  const best = new Float64Array(n);
  const norms = xn ?? sqNorms(X, n, d);
  const cn = sqNorms(centers, k, d);
  const block = 256;
  const buf = new Float64Array(block * k);
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    dotBlock(X, r0, r1, d, centers, k, buf);
    for (let i = r0; i < r1; i++) {
      let bc = 0, bd = Infinity;
      const o = (i - r0) * k;
      for (let c = 0; c < k; c++) {
        let v = norms[i] + cn[c] - 2 * buf[o + c];
        if (v < 0) v = 0;
        if (v < bd) { bd = v; bc = c; }
      }
      labels[i] = bc;
      best[i] = bd;
    }
  }
  return { labels, sqDistances: best };
}

/**
 * One K-Means restart from given centres: Lloyd iterations, with Hamerly's bounds by default.
 * Every point keeps an upper bound on the distance to its centre and a lower bound on the
 * distance to any other centre; a point is skipped when the upper bound is below both the lower
 * bound and half the distance from its centre to the nearest other centre. The points that
 * remain get all k distances in blocks (SIMD kernel), so the fixed point is exactly Lloyd's.
 * `tolAbs` is the absolute tolerance on the total squared centre shift.
 */
export function lloydRun(
  X: Float64Array, n: number, d: number, k: number, init: Float64Array,
  maxIter: number, tolAbs: number, algorithm: 'hamerly' | 'lloyd', xn?: Float64Array,
): KMeansRun {
  const norms = xn ?? sqNorms(X, n, d);
  let centers = new Float64Array(init);
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const shift = new Float64Array(k);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const s = new Float64Array(k);
  const cn = new Float64Array(k);
  const todo = new Int32Array(n);
  const dots = new Float64Array(BLOCK * k);
  const all = Int32Array.from({ length: n }, (_, i) => i);

  /** Exact distances of the listed points to every centre: labels and both bounds. Returns changes. */
  const assignExact = (list: Int32Array, m: number, track: boolean): number => {
    sqNorms(centers, k, d, cn);
    let ch = 0;
    for (let r0 = 0; r0 < m; r0 += BLOCK) {
      const r1 = Math.min(m, r0 + BLOCK);
      dotBlock(X, r0, r1, d, centers, k, dots, list);
      for (let q = r0; q < r1; q++) {
        const i = list[q], o = (q - r0) * k;
        let b1 = Infinity, b2 = Infinity, bc = 0;
        for (let c = 0; c < k; c++) {
          const v = norms[i] + cn[c] - 2 * dots[o + c];
          if (v < b1) { b2 = b1; b1 = v; bc = c; } else if (v < b2) b2 = v;
        }
        upper[i] = Math.sqrt(b1 > 0 ? b1 : 0);
        lower[i] = Math.sqrt(b2 > 0 ? b2 : 0);
        if (track && bc !== labels[i]) { movePoint(X, d, i, labels[i], bc, sums, counts); ch++; }
        labels[i] = bc;
      }
    }
    return ch;
  };

  const hamerlyStep = (): number => {
    for (let a = 0; a < k; a++) {
      let m = Infinity;
      for (let b = 0; b < k; b++) if (b !== a) { const v = sqDist(centers, a * d, centers, b * d, d); if (v < m) m = v; }
      s[a] = 0.5 * Math.sqrt(m);
    }
    let m = 0, tightened = 0, saved = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      const bound = s[a] > lower[i] ? s[a] : lower[i];
      if (upper[i] <= bound) continue;
      if (tighten) {
        // one exact distance may spare the k of the batch
        tightened++;
        upper[i] = Math.sqrt(sqDist(X, i * d, centers, a * d, d));
        if (upper[i] <= bound) { saved++; continue; }
      }
      todo[m++] = i;
    }
    // tightening pays when it spares enough points (well-separated data); on overlapping
    // clusters most points fail anyway and the batch alone is cheaper
    if (tighten) tighten = saved * k >= tightened * 2;
    else tighten = ++sinceCheck % 8 === 0;
    return assignExact(todo, m, true);
  };
  let tighten = true;
  let sinceCheck = 0;

  const lloydStep = (): number => assignExact(all, n, true);

  // first E-step: every distance
  assignExact(all, n, false);
  clusterSums(X, n, d, labels, sums, counts);
  let nIter = 0;
  let strict = false;
  let converged = false;
  let changed = n;
  for (let it = 0; it < maxIter; it++) {
    if (it > 0) changed = algorithm === 'hamerly' ? hamerlyStep() : lloydStep();
    nIter = it + 1;
    const relocated = updateCenters(X, n, d, k, labels, centers, next, sums, counts) > 0;
    let shiftTot = 0, max1 = 0, max2 = 0, arg1 = -1;
    for (let c = 0; c < k; c++) {
      const v = sqDist(centers, c * d, next, c * d, d);
      shiftTot += v;
      const sh = (shift[c] = Math.sqrt(v));
      if (sh > max1) { max2 = max1; max1 = sh; arg1 = c; } else if (sh > max2) max2 = sh;
    }
    const t = centers; centers = next; next = t;
    if (relocated) {
      // relocated points: every bound is recomputed at the next step
      upper.fill(Infinity);
      lower.fill(0);
      changed = n;
    } else {
      for (let i = 0; i < n; i++) {
        const a = labels[i];
        upper[i] += shift[a];
        const v = lower[i] - (a === arg1 ? max2 : max1);
        lower[i] = v > 0 ? v : 0;
      }
    }
    if (it % 64 === 63) clusterSums(X, n, d, labels, sums, counts); // no drift on long runs
    if (it > 0 && changed === 0 && !relocated) { strict = true; converged = true; break; }
    if (shiftTot <= tolAbs && !relocated) { converged = true; break; }
  }
  // labels must match the final centres
  if (!strict) algorithm === 'hamerly' ? hamerlyStep() : lloydStep();
  return { labels, centroids: centers, inertia: inertiaOf(X, n, d, centers, labels), nIter, converged };
}

/** Runs restart `r` (its own random stream) and returns its outcome. */
export function kmeansRestart(
  X: Float64Array, n: number, d: number, o: ResolvedKMeansOptions, r: number, tolAbs: number, xn: Float64Array,
): KMeansRun {
  const rng = new Random(o.seed).fork(r);
  const init = typeof o.init !== 'string' ? new Float64Array(o.init.data)
    : o.init === 'random' ? randomInit(X, n, d, o.k, rng)
    : kmeansPlusPlus(X, n, d, o.k, rng, xn);
  return lloydRun(X, n, d, o.k, init, o.maxIter, tolAbs, o.algorithm, xn);
}

/** Keeps the best run (lowest inertia, first on ties) and packages the result. */
export function kmeansResult(runs: KMeansRun[], k: number, d: number): KMeansResult {
  let best = 0;
  for (let r = 1; r < runs.length; r++) if (runs[r].inertia < runs[best].inertia) best = r;
  const b = runs[best];
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < b.labels.length; i++) sizes[b.labels[i]]++;
  const warnings: string[] = [];
  const used = sizes.filter((s) => s > 0).length;
  const distinct = distinctCentroids(b.centroids, k, d);
  if (used < k || distinct < k) {
    warnings.push(`Number of distinct clusters (${Math.min(used, distinct)}) found smaller than k (${k}): the data has duplicate points`);
  }
  if (!b.converged) warnings.push(`K-Means did not converge in ${b.nIter} iterations (k=${k}); raise maxIter or tol`);
  return {
    estimator: 'kmeans',
    labels: b.labels,
    centroids: { rows: k, cols: d, data: b.centroids },
    inertia: b.inertia,
    nIter: b.nIter,
    converged: b.converged,
    k,
    sizes,
    inertias: runs.map((r) => r.inertia),
    bestInit: best,
    warnings,
  };
}

function distinctCentroids(c: Float64Array, k: number, d: number): number {
  const seen = new Set<string>();
  for (let a = 0; a < k; a++) seen.add(Array.from(c.subarray(a * d, a * d + d)).join(','));
  return seen.size;
}

/**
 * K-Means clustering (see the module comment). Deterministic for a fixed seed.
 *
 * @example kmeans(X, { k: 4, seed: 1 }).labels
 */
export function kmeans(X: MatrixInput, options: KMeansOptions): KMeansResult {
  const m = toMatrix(X);
  const o = resolveKMeansOptions(options, m.rows, m.cols);
  bindGram(m.data, m.rows, m.cols);
  const xn = sqNorms(m.data, m.rows, m.cols);
  const tolAbs = absoluteTolerance(m.data, m.rows, m.cols, o.tol);
  const runs: KMeansRun[] = [];
  for (let r = 0; r < o.nInit; r++) runs.push(kmeansRestart(m.data, m.rows, m.cols, o, r, tolAbs, xn));
  return kmeansResult(runs, o.k, m.cols);
}

/** Labels of new points: index of the nearest centroid (lowest index on ties). `predict()` of K-Means and Ward. */
export function predictNearest(X: MatrixInput, centroids: Matrix): Int32Array {
  const m = toMatrix(X);
  const c = toMatrix(centroids, 'centroids');
  if (c.cols !== m.cols) throw new DataError(`centroids have ${c.cols} columns, X has ${m.cols}`);
  bindGram(m.data, m.rows, m.cols);
  return assignNearest(m.data, m.rows, m.cols, c.data, c.rows).labels;
}

/**
 * Cluster quality metrics, as scikit-learn's `sklearn.metrics`:
 *
 * - internal (need the data): silhouette (mean and per sample; euclidean or cosine), Davies-Bouldin
 *   (lower is better), Calinski-Harabasz (higher is better);
 * - external (compare two labelings): adjusted Rand index, normalised mutual information
 *   (arithmetic-mean normalisation, scikit-learn's default).
 *
 * Noise (label -1, from DBSCAN): the internal metrics leave noise points out, both as samples and
 * as members of clusters (the same as scoring `X[labels >= 0]`); their per-sample silhouette is
 * NaN. The external metrics treat -1 as an ordinary label (noise is one more group), as
 * scikit-learn does.
 *
 * Silhouette cost: cosine distance is linear in the dot product once rows are L2-normalised
 * (1 - u_i . u_j), so the mean distance of a point to a cluster is 1 - u_i . mean(u_c): O(n k d),
 * exact. Euclidean distances need every pair: a blocked pass over the upper triangle computes each
 * distance once and adds it to both points' per-cluster sums, for any number of labelings at
 * once (analyzeK scores k = 2..10 in one pass), without storing the n x n matrix.
 */
import { DataError, InvalidParameterError, oneOf, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { dotBlock, pairBlocks, sqDist, sqNorms } from './kernels';
import { type Matrix, type MatrixInput, l2normalizeRows, toLabels, toMatrix } from './matrix';
import { bindGram } from './wasm';

export type Metric = 'euclidean' | 'cosine';

export interface SilhouetteOptions {
  /** 'euclidean' (default, as scikit-learn) or 'cosine' (1 - cosine similarity). */
  metric?: Metric;
}

/** Distinct non-negative labels and a dense re-indexing (label -> 0..m-1; -1 stays -1). */
export function denseLabels(labels: Int32Array): { dense: Int32Array; values: number[]; sizes: number[] } {
  const map = new Map<number, number>();
  const sorted = Array.from(new Set(Array.from(labels).filter((l) => l >= 0))).sort((a, b) => a - b);
  sorted.forEach((v, i) => map.set(v, i));
  const dense = new Int32Array(labels.length);
  const sizes = new Array<number>(sorted.length).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0) dense[i] = -1;
    else { dense[i] = map.get(l)!; sizes[dense[i]]++; }
  }
  return { dense, values: sorted, sizes };
}

function checkClusterCount(metric: string, nLabels: number, nSamples: number): void {
  if (nLabels < 2 || nLabels > nSamples - 1) {
    throw new DataError(`${metric}: number of labels is ${nLabels}; valid values are 2 to n_samples - 1 = ${nSamples - 1} (inclusive), noise excluded`);
  }
}

/** Prepared labeling for the silhouette engine. */
interface Prepared {
  dense: Int32Array;
  sizes: number[];
  k: number;
}

function prepare(labels: ArrayLike<number>, n: number, what: string): Prepared {
  const l = toLabels(labels, n);
  const { dense, sizes } = denseLabels(l);
  const kept = sizes.reduce((a, b) => a + b, 0);
  checkClusterCount(what, sizes.length, kept);
  return { dense, sizes, k: sizes.length };
}

/** s(i) = (b - a) / max(a, b) from per-cluster distance sums of every point. */
function finish(sums: Float64Array, stride: number, off: number, p: Prepared, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = p.dense[i];
    if (c < 0) { out[i] = NaN; continue; }
    const own = p.sizes[c];
    if (own <= 1) { out[i] = 0; continue; }
    const row = i * stride + off;
    const a = sums[row + c] / (own - 1);
    let b = Infinity;
    for (let q = 0; q < p.k; q++) {
      if (q === c) continue;
      const v = sums[row + q] / p.sizes[q];
      if (v < b) b = v;
    }
    const m = Math.max(a, b);
    out[i] = m > 0 ? (b - a) / m : 0;
  }
  return out;
}

/** Cosine silhouettes of several labelings: O(n k d) through cluster sums of unit rows. */
function cosineSilhouettes(m: Matrix, ps: Prepared[]): Float64Array[] {
  const u = l2normalizeRows(m);
  const { rows: n, cols: d, data } = u;
  bindGram(data, n, d);
  const un = sqNorms(data, n, d);
  return ps.map((p) => {
    const S = new Float64Array(p.k * d);
    for (let i = 0; i < n; i++) {
      const c = p.dense[i];
      if (c < 0) continue;
      for (let j = 0; j < d; j++) S[c * d + j] += data[i * d + j];
    }
    const sums = new Float64Array(n * p.k);
    const dots = new Float64Array(256 * p.k);
    for (let r0 = 0; r0 < n; r0 += 256) {
      const r1 = Math.min(n, r0 + 256);
      dotBlock(data, r0, r1, d, S, p.k, dots);
      for (let i = r0; i < r1; i++) {
        const own = p.dense[i];
        for (let q = 0; q < p.k; q++) {
          // sum over j in q, j != i, of (1 - u_i . u_j)
          let v = p.sizes[q] - dots[(i - r0) * p.k + q];
          if (q === own) v += un[i] - 1;
          sums[i * p.k + q] = v > 0 ? v : 0;
        }
      }
    }
    return finish(sums, p.k, 0, p, n);
  });
}

/**
 * Euclidean silhouettes of several labelings in one pass over the pairs (upper triangle, blocks
 * of rows; each distance computed once, through norms and dot products as scikit-learn).
 */
function euclideanSilhouettes(m: Matrix, ps: Prepared[]): Float64Array[] {
  const { rows: n, cols: d, data } = m;
  const { col, offs, stride } = sumColumns(ps, n);
  const sums = euclideanPairSums(data, n, d, col, ps.length, stride, 1, 0);
  return ps.map((p, l) => finish(sums, stride, offs[l], p, n));
}

/**
 * Per-point sums of euclidean distances to the members of each cluster, for L labelings at once:
 * sums[i * stride + col[l * n + j]] accumulates d(i, j) (col -1: noise, skipped). Only the
 * block rows b with b % parts === part are visited, so `parts` workers can share the pass and
 * add their sums.
 */
export function euclideanPairSums(
  data: Float64Array, n: number, d: number, col: Int32Array, L: number, stride: number, parts: number, part: number,
): Float64Array {
  // labeling l's cluster of point j is col[l * n + j] - off[l] (col -1: noise, left out)
  const off = new Int32Array(L + 1);
  const kOf = new Int32Array(L);
  for (let l = 0; l < L; l++) {
    let mx = -1, mn = Infinity;
    for (let j = 0; j < n; j++) { const c = col[l * n + j]; if (c >= 0) { if (c > mx) mx = c; if (c < mn) mn = c; } }
    off[l] = mx < 0 ? 0 : (mn as number);
    kOf[l] = mx < 0 ? 0 : mx - off[l] + 1;
  }
  const sums = new Float64Array(n * stride);
  const B = PAIR_BLOCK;
  const DT = new Float64Array(B * B);
  const perm = new Int32Array(B);
  const seg = new Int32Array(stride + 2);
  /**
   * For every row r of M (nr x nc, row-major) add, per cluster c of labeling l, the sum of
   * M[r][t] over the columns t whose point (first + t) is in c, into sums[(rowFirst + r) * stride + off + c].
   * Columns are gathered by cluster (counting sort), sums kept in a register.
   */
  const rowSums = (M: Float64Array, nr: number, nc: number, rowFirst: number, colFirst: number, l: number): void => {
    const k = kOf[l], o = off[l], base = l * n + colFirst;
    seg.fill(0, 0, k + 1);
    for (let t = 0; t < nc; t++) { const c = col[base + t]; if (c >= 0) seg[c - o + 1]++; }
    for (let c = 0; c < k; c++) seg[c + 1] += seg[c];
    const fill = seg.slice(0, k);
    for (let t = 0; t < nc; t++) { const c = col[base + t]; if (c >= 0) perm[fill[c - o]++] = t; }
    for (let r = 0; r < nr; r++) {
      const mr = r * nc, sr = (rowFirst + r) * stride + o;
      for (let c = 0; c < k; c++) {
        // four independent sums: the adds do not wait for each other
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        const e = seg[c + 1];
        let t = seg[c];
        for (; t + 3 < e; t += 4) {
          a0 += M[mr + perm[t]]; a1 += M[mr + perm[t + 1]]; a2 += M[mr + perm[t + 2]]; a3 += M[mr + perm[t + 3]];
        }
        for (; t < e; t++) a0 += M[mr + perm[t]];
        sums[sr + c] += (a0 + a1) + (a2 + a3);
      }
    }
  };
  pairBlocks(data, n, d, 'euclidean', (i0, i1, j0, j1, D) => {
    const ni = i1 - i0, nj = j1 - j0;
    if (i0 === j0) {
      // diagonal block: full rows count every pair of the block in both directions
      for (let i = 0; i < ni; i++) D[i * nj + i] = 0;
      for (let l = 0; l < L; l++) rowSums(D, ni, nj, i0, j0, l);
      return;
    }
    for (let i = 0; i < ni; i++) for (let j = 0; j < nj; j++) DT[j * ni + i] = D[i * nj + j];
    for (let l = 0; l < L; l++) {
      rowSums(D, ni, nj, i0, j0, l);
      rowSums(DT, nj, ni, j0, i0, l);
    }
  }, B, (b) => b % parts === part);
  return sums;
}

/** Block size of the pairwise passes. */
const PAIR_BLOCK = 128;

/** Columns of every point's cluster in each labeling's part of a row of sums (-1: noise). */
function sumColumns(ps: Prepared[], n: number): { col: Int32Array; offs: number[]; stride: number } {
  const offs: number[] = [];
  let stride = 0;
  for (const p of ps) { offs.push(stride); stride += p.k; }
  const col = new Int32Array(ps.length * n);
  for (let l = 0; l < ps.length; l++) for (let j = 0; j < n; j++) col[l * n + j] = ps[l].dense[j] < 0 ? -1 : offs[l] + ps[l].dense[j];
  return { col, offs, stride };
}

/**
 * Euclidean silhouettes from sums computed elsewhere (worker threads): `compute(col, L, stride)`
 * returns the summed per-cluster distance sums.
 */
export async function euclideanSilhouettesWith(
  X: MatrixInput, labelings: ArrayLike<number>[],
  compute: (col: Int32Array, L: number, stride: number) => Promise<Float64Array>,
): Promise<Float64Array[]> {
  const m = toMatrix(X);
  const ps = labelings.map((l) => prepare(l, m.rows, 'silhouette'));
  const { col, offs, stride } = sumColumns(ps, m.rows);
  const sums = await compute(col, ps.length, stride);
  return ps.map((p, l) => finish(sums, stride, offs[l], p, m.rows));
}

/**
 * Per-sample silhouettes of several labelings of the same data (one pass for euclidean).
 * Used by analyzeK; each labeling must have 2..n-1 clusters (noise excluded).
 */
export function silhouetteSamplesMany(X: MatrixInput, labelings: ArrayLike<number>[], options?: SilhouetteOptions): Float64Array[] {
  const m = toMatrix(X);
  const o = withDefaults('silhouette options', DEFAULTS.silhouette as Required<SilhouetteOptions>, options);
  const metric = oneOf('metric', o.metric, ['euclidean', 'cosine'] as const);
  const ps = labelings.map((l) => prepare(l, m.rows, 'silhouette'));
  return metric === 'cosine' ? cosineSilhouettes(m, ps) : euclideanSilhouettes(m, ps);
}

/** Silhouette of every sample (NaN for noise, 0 for a point alone in its cluster). */
export function silhouetteSamples(X: MatrixInput, labels: ArrayLike<number>, options?: SilhouetteOptions): Float64Array {
  return silhouetteSamplesMany(X, [labels], options)[0];
}

/** Mean of the finite values (NaN = noise left out). */
export function nanMean(a: ArrayLike<number>): number {
  let s = 0, c = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) { s += a[i]; c++; }
  return c > 0 ? s / c : NaN;
}

/** Mean silhouette over the non-noise samples, in [-1, 1]: higher means tighter, better separated clusters. */
export function silhouetteScore(X: MatrixInput, labels: ArrayLike<number>, options?: SilhouetteOptions): number {
  return nanMean(silhouetteSamples(X, labels, options));
}

/** Cluster means of the non-noise points (dense labels) and the overall mean of those points. */
function clusterMeans(m: Matrix, p: Prepared): { centers: Float64Array; mean: Float64Array } {
  const { rows: n, cols: d, data } = m;
  const centers = new Float64Array(p.k * d);
  const mean = new Float64Array(d);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const c = p.dense[i];
    if (c < 0) continue;
    kept++;
    for (let j = 0; j < d; j++) { centers[c * d + j] += data[i * d + j]; mean[j] += data[i * d + j]; }
  }
  for (let c = 0; c < p.k; c++) for (let j = 0; j < d; j++) centers[c * d + j] /= p.sizes[c];
  for (let j = 0; j < d; j++) mean[j] /= kept;
  return { centers, mean };
}

/**
 * Davies-Bouldin index: mean over clusters of the worst (s_i + s_j) / |c_i - c_j|, with s the mean
 * distance of a cluster's points to its centroid. 0 is the best; lower is better.
 */
export function daviesBouldin(X: MatrixInput, labels: ArrayLike<number>): number {
  const m = toMatrix(X);
  const p = prepare(labels, m.rows, 'daviesBouldin');
  const { rows: n, cols: d, data } = m;
  const { centers } = clusterMeans(m, p);
  const intra = new Float64Array(p.k);
  for (let i = 0; i < n; i++) {
    const c = p.dense[i];
    if (c >= 0) intra[c] += Math.sqrt(sqDist(data, i * d, centers, c * d, d));
  }
  for (let c = 0; c < p.k; c++) intra[c] /= p.sizes[c];
  let allIntraZero = true, allCentersSame = true;
  const cd = new Float64Array(p.k * p.k);
  for (let a = 0; a < p.k; a++) {
    if (Math.abs(intra[a]) > 1e-15) allIntraZero = false;
    for (let b = 0; b < p.k; b++) {
      cd[a * p.k + b] = Math.sqrt(sqDist(centers, a * d, centers, b * d, d));
      if (a !== b && Math.abs(cd[a * p.k + b]) > 1e-15) allCentersSame = false;
    }
  }
  if (allIntraZero || allCentersSame) return 0;
  let s = 0;
  for (let a = 0; a < p.k; a++) {
    let worst = 0;
    for (let b = 0; b < p.k; b++) {
      if (a === b) continue;
      const dist = cd[a * p.k + b];
      const v = dist === 0 ? 0 : (intra[a] + intra[b]) / dist;
      if (v > worst) worst = v;
    }
    s += worst;
  }
  return s / p.k;
}

/**
 * Calinski-Harabasz index (variance ratio): between-cluster dispersion over within-cluster
 * dispersion, times (n - k) / (k - 1). Higher is better; 1 when every cluster is a single point value.
 */
export function calinskiHarabasz(X: MatrixInput, labels: ArrayLike<number>): number {
  const m = toMatrix(X);
  const p = prepare(labels, m.rows, 'calinskiHarabasz');
  const { rows: n, cols: d, data } = m;
  const { centers, mean } = clusterMeans(m, p);
  let extra = 0, intra = 0, kept = 0;
  for (let c = 0; c < p.k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const t = centers[c * d + j] - mean[j]; s += t * t; }
    extra += p.sizes[c] * s;
  }
  for (let i = 0; i < n; i++) {
    const c = p.dense[i];
    if (c < 0) continue;
    kept++;
    intra += sqDist(data, i * d, centers, c * d, d);
  }
  return intra === 0 ? 1 : (extra * (kept - p.k)) / (intra * (p.k - 1));
}

/** Contingency table of two labelings (rows: distinct values of a, columns: of b, ascending). */
export function contingency(a: ArrayLike<number>, b: ArrayLike<number>): { table: number[][]; rowsOf: number[]; colsOf: number[] } {
  const la = toLabels(a, null, 'labelsTrue');
  const lb = toLabels(b, la.length, 'labelsPred');
  const ra = Array.from(new Set(la)).sort((x, y) => x - y);
  const rb = Array.from(new Set(lb)).sort((x, y) => x - y);
  const ia = new Map(ra.map((v, i) => [v, i]));
  const ib = new Map(rb.map((v, i) => [v, i]));
  const table = ra.map(() => new Array<number>(rb.length).fill(0));
  for (let i = 0; i < la.length; i++) table[ia.get(la[i])!][ib.get(lb[i])!]++;
  return { table, rowsOf: ra, colsOf: rb };
}

/**
 * Adjusted Rand index: agreement of two labelings over all pairs of samples, corrected for
 * chance (1 identical up to renaming, about 0 for random labelings, can be negative).
 */
export function adjustedRandIndex(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const { table } = contingency(labelsTrue, labelsPred);
  const n = labelsTrue.length;
  if (n === 0) throw new DataError('adjustedRandIndex: empty labelings');
  // pair confusion matrix (scikit-learn's pair_confusion_matrix)
  let sumSq = 0;
  const rowSums = table.map((r) => r.reduce((s, v) => s + v, 0));
  const colSums = table[0].map((_, j) => table.reduce((s, r) => s + r[j], 0));
  for (const r of table) for (const v of r) sumSq += v * v;
  const tp = sumSq - n;
  const fp = colSums.reduce((s, v) => s + v * v, 0) - sumSq;
  const fn = rowSums.reduce((s, v) => s + v * v, 0) - sumSq;
  const tn = n * n - fp - fn - sumSq;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

function entropyOf(counts: number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Mutual information (nats) between two labelings. */
export function mutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const { table } = contingency(labelsTrue, labelsPred);
  const n = labelsTrue.length;
  const rowSums = table.map((r) => r.reduce((s, v) => s + v, 0));
  const colSums = table[0].map((_, j) => table.reduce((s, r) => s + r[j], 0));
  let mi = 0;
  for (let a = 0; a < table.length; a++) {
    for (let b = 0; b < table[a].length; b++) {
      const v = table[a][b];
      if (v > 0) mi += (v / n) * Math.log((v * n) / (rowSums[a] * colSums[b]));
    }
  }
  return Math.max(0, mi);
}

/**
 * Normalised mutual information with the arithmetic mean of the entropies as normaliser
 * (scikit-learn's default): 1 identical up to renaming, 0 independent.
 */
export function normalizedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const { table } = contingency(labelsTrue, labelsPred);
  const n = labelsTrue.length;
  if (n === 0) throw new DataError('normalizedMutualInfo: empty labelings');
  const nRows = table.length, nCols = table[0].length;
  if (nRows === 1 && nCols === 1) return 1;
  const mi = mutualInfo(labelsTrue, labelsPred);
  if (mi === 0) return 0;
  const rowSums = table.map((r) => r.reduce((s, v) => s + v, 0));
  const colSums = table[0].map((_, j) => table.reduce((s, r) => s + r[j], 0));
  const norm = (entropyOf(rowSums, n) + entropyOf(colSums, n)) / 2;
  return mi / Math.max(norm, Number.EPSILON);
}

/** Validates the metric name (shared by callers). */
export function checkMetric(value: unknown, param = 'metric'): Metric {
  if (value !== 'euclidean' && value !== 'cosine') throw new InvalidParameterError(param, "one of 'euclidean', 'cosine'", value);
  return value;
}

/**
 * Agglomerative clustering with Ward's linkage (scikit-learn's `AgglomerativeClustering(linkage=
 * 'ward')`, scipy's `linkage(method='ward')`): start from single points and repeatedly merge the
 * two clusters whose union increases the within-cluster sum of squares least.
 *
 * Exact: the nearest-neighbour-chain algorithm on the condensed matrix of squared distances with
 * the Lance-Williams update, O(n^2) time and n(n-1)/2 float32 of memory (9,000 points: 162 MB,
 * about 5 s). Merge heights are scipy's: sqrt(2 * increase of the sum of squares).
 * One fit gives every k: `cut(k)` labels the tree at k clusters.
 *
 * Larger inputs than `maxSamples`: the tree is built on a seeded random sample of maxSamples
 * points and the other points join the cluster whose mean is nearest (documented approximation,
 * flagged in `warnings`).
 */
import { DataError, integerInRange, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { assignNearest } from './kmeans';
import { pairBlocks, sqNorms } from './kernels';
import { type Matrix, type MatrixInput, clusterMeans, selectRows, toMatrix } from './matrix';
import { Random } from './random';

export interface WardOptions {
  /** Number of clusters of `labels` (required; `cut()` gives any other from the same tree). */
  k: number;
  /** Largest number of points the exact tree is built on (default 9000, see module comment). */
  maxSamples?: number;
  /** Seed of the sample when n > maxSamples (default 42). */
  seed?: number;
}

/** One merge of the tree (scipy linkage row): clusters a and b (ids: < n points, >= n earlier merges) at `height`. */
export interface WardMerge {
  a: number;
  b: number;
  height: number;
  size: number;
}

export interface WardResult {
  /** Which estimator made this result (what `predict()` dispatches on). */
  estimator: 'ward';
  /** Cluster of every sample for k clusters, numbered by decreasing size. */
  labels: Int32Array;
  k: number;
  /** Cluster means (k x d) of the labels: `predict()` assigns new points to the nearest. */
  centroids: Matrix;
  sizes: number[];
  /** The n-1 merges of the tree on the fitted points, by increasing height (scipy's linkage order). */
  merges: WardMerge[];
  /** Indices of the points the tree was built on (all points unless n > maxSamples). */
  fittedIndices: Int32Array;
  /** Labels of every sample for another number of clusters (same tree). */
  cut(k: number): Int32Array;
  warnings: string[];
}

/** Ward merge tree of the rows of `m` (nearest-neighbour chain). */
export function wardTree(m: Matrix): WardMerge[] {
  const n = m.rows;
  if (n < 2) return [];
  const total = (n * (n - 1)) / 2;
  if (total > 2 ** 31 - 1) throw new DataError(`ward: ${n} points need ${total} pairwise distances; use maxSamples`);
  const D = new Float32Array(total);
  // condensed index of (i, j), i < j: rowStart[i] + j
  const rowStart = new Float64Array(n);
  for (let i = 0; i < n; i++) rowStart[i] = n * i - (i * (i + 1)) / 2 - i - 1;
  const idx = (i: number, j: number): number => (i < j ? rowStart[i] + j : rowStart[j] + i);
  pairBlocks(m.data, n, m.cols, 'euclidean', (i0, i1, j0, j1, B) => {
    const nj = j1 - j0;
    for (let i = i0; i < i1; i++) {
      const r = (i - i0) * nj;
      let p = idx(i, j0 === i0 ? i + 1 : j0);
      for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) { const v = B[r + j - j0]; D[p++] = v * v; }
    }
  });
  const size = new Float64Array(n).fill(1);
  const id = new Int32Array(n); // current cluster id of slot i (scipy numbering)
  for (let i = 0; i < n; i++) id[i] = i;
  const merges: WardMerge[] = [];
  const chain = new Int32Array(n);
  let len = 0;
  let nextId = n;
  // active slots in index order (ties go to the first found: deterministic)
  const act = Int32Array.from({ length: n }, (_, i) => i);
  let live = n;
  for (let step = 0; step < n - 1; step++) {
    if (len === 0) chain[len++] = act[0];
    let a: number, b: number, dab: number;
    for (;;) {
      a = chain[len - 1];
      const prev = len >= 2 ? chain[len - 2] : -1;
      // nearest active neighbour of a; the previous chain element wins ties (guarantees termination)
      let best = -1, bd = Infinity;
      if (prev >= 0) { best = prev; bd = D[idx(a, prev)]; }
      const ra = rowStart[a];
      for (let t = 0; t < live; t++) {
        const x = act[t];
        if (x === a) continue;
        const v = D[x > a ? ra + x : rowStart[x] + a];
        if (v < bd) { bd = v; best = x; }
      }
      b = best;
      dab = bd;
      if (b === prev) break;
      chain[len++] = b;
    }
    len -= 2;
    // merge a and b into slot lo (Lance-Williams update for Ward on squared distances)
    const lo = Math.min(a, b), hi = Math.max(a, b);
    const na = size[a], nb = size[b];
    const rl = rowStart[lo], rh = rowStart[hi];
    for (let t = 0; t < live; t++) {
      const x = act[t];
      if (x === lo || x === hi) continue;
      const nx = size[x];
      const pl = x > lo ? rl + x : rowStart[x] + lo;
      const ph = x > hi ? rh + x : rowStart[x] + hi;
      const dl = D[pl], dh = D[ph];
      const da = a === lo ? dl : dh, db = a === lo ? dh : dl;
      D[pl] = ((na + nx) * da + (nb + nx) * db - nx * dab) / (na + nb + nx);
    }
    // remove hi from the active list, keeping the order
    let h = 0;
    while (act[h] !== hi) h++;
    act.copyWithin(h, h + 1, live);
    live--;
    size[lo] = na + nb;
    merges.push({ a: Math.min(id[a], id[b]), b: Math.max(id[a], id[b]), height: Math.sqrt(Math.max(0, dab)), size: na + nb });
    id[lo] = nextId++;
  }
  // scipy orders merges by height; ids of later merges refer to positions in that order
  const order = merges.map((_, i) => i).sort((x, y) => merges[x].height - merges[y].height || x - y);
  const rank = new Int32Array(merges.length);
  order.forEach((o, r) => { rank[o] = r; });
  const remap = (c: number): number => (c < n ? c : n + rank[c - n]);
  return order.map((o) => {
    const mm = merges[o];
    const a2 = remap(mm.a), b2 = remap(mm.b);
    return { a: Math.min(a2, b2), b: Math.max(a2, b2), height: mm.height, size: mm.size };
  });
}

/** Labels of the n points after the first n - k merges, numbered by decreasing cluster size. */
export function cutTree(merges: WardMerge[], n: number, k: number): Int32Array {
  integerInRange('k', k, 1, n);
  const parent = new Int32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
    return x;
  };
  for (let t = 0; t < n - k; t++) {
    const mm = merges[t];
    const node = n + t;
    parent[find(mm.a)] = node;
    parent[find(mm.b)] = node;
  }
  const root = new Int32Array(n);
  const count = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    root[i] = find(i);
    count.set(root[i], (count.get(root[i]) ?? 0) + 1);
    if (!first.has(root[i])) first.set(root[i], i);
  }
  const roots = Array.from(count.keys()).sort((x, y) => count.get(y)! - count.get(x)! || first.get(x)! - first.get(y)!);
  const lab = new Map(roots.map((r, i) => [r, i]));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lab.get(root[i])!;
  return out;
}

/** Ward agglomerative clustering (see module comment). */
export function ward(X: MatrixInput, options: WardOptions): WardResult {
  const m = toMatrix(X);
  const o = withDefaults('ward options', { k: undefined, ...DEFAULTS.ward } as unknown as Required<WardOptions>, options);
  const k = integerInRange('k', o.k, 1);
  const maxSamples = integerInRange('maxSamples', o.maxSamples, 2);
  integerInRange('seed', o.seed, 0, 0xffffffff);
  const n = m.rows;
  if (n < k) throw new DataError(`only ${n} samples for k=${k}`);
  const warnings: string[] = [];
  let fitted: Int32Array;
  if (n > maxSamples) {
    fitted = new Random(o.seed).sample(n, maxSamples);
    warnings.push(`Ward tree built on a random sample of ${maxSamples} of ${n} points; the others joined the nearest cluster mean`);
  } else {
    fitted = Int32Array.from({ length: n }, (_, i) => i);
  }
  const sub = fitted.length === n ? m : selectRows(m, fitted);
  const merges = wardTree(sub);
  const cut = (kk: number): Int32Array => {
    integerInRange('k', kk, 1, sub.rows);
    const subLabels = cutTree(merges, sub.rows, kk);
    if (sub === m) return subLabels;
    const { centroids } = clusterMeans(sub, subLabels, kk);
    const out = assignNearest(m.data, n, m.cols, centroids.data, kk, sqNorms(m.data, n, m.cols)).labels;
    for (let t = 0; t < fitted.length; t++) out[fitted[t]] = subLabels[t];
    return out;
  };
  const labels = cut(k);
  const { centroids, sizes } = clusterMeans(m, labels, k);
  const distinct = sizes.filter((s) => s > 0).length;
  if (distinct < k) warnings.push(`only ${distinct} non-empty clusters for k=${k}`);
  return { estimator: 'ward', labels, k, centroids, sizes, merges, fittedIndices: fitted, cut, warnings };
}

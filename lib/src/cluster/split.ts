/**
 * Two-level clustering: split each cluster of a first partition again, where the split is stable
 * and separated, up to a total number of leaves. Pure: matrices and labels in, labels out; what
 * makes a split worth keeping beyond the numbers (e.g. that its parts can be named differently)
 * comes in as an `accept` predicate.
 *
 * `splitCandidates` runs `analyzeK` (K-Means, silhouette, bootstrap ARI) on the rows of every
 * cluster for k = kMin..kMax and marks each k usable when
 *  - stable: mean bootstrap ARI >= minStability (0.8),
 *  - separated: silhouette >= minSilhouette (0.02; at or below 0 the parts are not separated at all),
 *  - not degenerate: every part holds at least max(minSize, minShare x the cluster's size) rows.
 * `chooseSplits` then keeps, cluster by cluster (largest first), the usable, accepted k with the
 * best silhouette that still fits under maxLeaves (a smaller accepted k when the best does not),
 * and `treeLabels` numbers the leaves: the parts of cluster c follow each other, in cluster order.
 */
import { DataError, integerInRange, numberInRange, withDefaults } from '../validate';
import { analyzeK } from './analyze';
import { type Matrix, type MatrixInput, selectRows, toLabels, toMatrix } from './matrix';

export interface SplitOptions {
  /** Smallest number of parts per cluster (default 2). */
  kMin: number;
  /** Largest number of parts per cluster (default 4). */
  kMax: number;
  /** Minimum mean bootstrap ARI of a usable split (default 0.8). */
  minStability: number;
  /** Minimum mean silhouette of a usable split (default 0.02). */
  minSilhouette: number;
  /** Minimum rows per part (default 20). */
  minSize: number;
  /** Minimum share of its cluster per part (default 0.05). */
  minShare: number;
  /** K-Means restarts per k (default 5). */
  nInit: number;
  /** Bootstrap subsets per k (default 10). */
  bootstrapSamples: number;
  /** Silhouette metric (default 'cosine', as the first level). */
  metric: 'cosine' | 'euclidean';
  seed: number;
  /** Worker threads for analyzeK (0 = auto). */
  workers: number;
}

export const SPLIT_DEFAULTS: SplitOptions = {
  kMin: 2, kMax: 4, minStability: 0.8, minSilhouette: 0.02, minSize: 20, minShare: 0.05, nInit: 5, bootstrapSamples: 10, metric: 'cosine', seed: 42, workers: 0,
};

/** One way to split one cluster. */
export interface SplitCandidate {
  k: number;
  /** Part of each member (0..k-1), in the order of `members`. */
  labels: Int32Array;
  sizes: number[];
  silhouette: number;
  stability: number;
  /** Stable, separated and not degenerate (see module comment). */
  usable: boolean;
  /** Why not usable ('' when usable). */
  reason: string;
}

export interface ClusterSplits {
  cluster: number;
  /** Row indices of the cluster's members, ascending. */
  members: Int32Array;
  candidates: SplitCandidate[];
  /** Why the cluster was not analysed at all ('' when it was). */
  skipped: string;
}

/** Every k = kMin..kMax split of every cluster, with its measures (see module comment). */
export async function splitCandidates(X: MatrixInput, labels: ArrayLike<number>, options: Partial<SplitOptions> = {}): Promise<ClusterSplits[]> {
  const m = toMatrix(X);
  const lab = toLabels(labels, m.rows);
  const o = withDefaults('splitCandidates options', SPLIT_DEFAULTS, options);
  const kMin = integerInRange('kMin', o.kMin, 2, 10);
  const kMax = integerInRange('kMax', o.kMax, kMin, 10);
  numberInRange('minStability', o.minStability, -1, 1);
  numberInRange('minSilhouette', o.minSilhouette, -1, 1);
  numberInRange('minShare', o.minShare, 0, 0.5);
  integerInRange('minSize', o.minSize, 1);
  const ids = Array.from(new Set(Array.from(lab).filter((l) => l >= 0))).sort((a, b) => a - b);
  const out: ClusterSplits[] = [];
  for (const c of ids) {
    const idx: number[] = [];
    for (let i = 0; i < lab.length; i++) if (lab[i] === c) idx.push(i);
    const members = Int32Array.from(idx);
    const minPart = Math.max(o.minSize, Math.ceil(o.minShare * members.length));
    if (members.length < kMin * minPart || members.length <= kMax + 1) {
      out.push({ cluster: c, members, candidates: [], skipped: `${members.length} rows: too few to split into parts of at least ${minPart}` });
      continue;
    }
    const sub: Matrix = selectRows(m, members);
    const analysis = await analyzeK(sub, {
      kMin, kMax: Math.min(kMax, members.length - 2), nInit: o.nInit, seed: o.seed + c, metric: o.metric, workers: o.workers,
      bootstrap: { samples: o.bootstrapSamples, fraction: 0.8, nInit: 2 },
    });
    const candidates = analysis.scores.map((s): SplitCandidate => {
      const reasons: string[] = [];
      if (!(s.stability >= o.minStability) && o.bootstrapSamples > 0) reasons.push(`unstable (ARI ${s.stability.toFixed(2)} < ${o.minStability})`);
      if (!(s.silhouette >= o.minSilhouette)) reasons.push(`not separated (silhouette ${s.silhouette.toFixed(3)} < ${o.minSilhouette})`);
      const small = Math.min(...s.sizes);
      if (small < minPart) reasons.push(`degenerate (a part of ${small} rows < ${minPart})`);
      return { k: s.k, labels: s.labels, sizes: s.sizes, silhouette: s.silhouette, stability: s.stability, usable: reasons.length === 0, reason: reasons.join('; ') };
    });
    out.push({ cluster: c, members, candidates, skipped: '' });
  }
  return out;
}

/** A split kept by `chooseSplits`. */
export interface ChosenSplit {
  cluster: number;
  candidate: SplitCandidate;
}

export interface SplitChoice {
  chosen: ChosenSplit[];
  /** Leaves after the chosen splits. */
  leaves: number;
  /** One line per cluster: what was kept or why not. */
  reasons: string[];
}

/**
 * Chooses at most one split per cluster (see module comment). `accept(cluster, candidate)` may
 * veto a usable split and say why (a string is the reason of the veto, true keeps it).
 */
export function chooseSplits(splits: ClusterSplits[], maxLeaves: number, accept: (cluster: number, candidate: SplitCandidate, members: Int32Array) => true | string = () => true): SplitChoice {
  integerInRange('maxLeaves', maxLeaves, 1);
  let leaves = splits.length;
  if (leaves > maxLeaves) throw new DataError(`${leaves} clusters already exceed maxLeaves=${maxLeaves}`);
  const reasons = new Map<number, string>();
  const chosen: ChosenSplit[] = [];
  const order = [...splits].sort((a, b) => b.members.length - a.members.length || a.cluster - b.cluster);
  for (const s of order) {
    if (s.skipped) {
      reasons.set(s.cluster, `cluster ${s.cluster} kept whole: ${s.skipped}.`);
      continue;
    }
    const vetoes: string[] = [];
    const ok = s.candidates.filter((c) => {
      if (!c.usable) return false;
      const a = accept(s.cluster, c, s.members);
      if (a !== true) vetoes.push(`k=${c.k}: ${a}`);
      return a === true;
    }).sort((a, b) => b.silhouette - a.silhouette || a.k - b.k);
    const fit = ok.find((c) => leaves + c.k - 1 <= maxLeaves);
    if (fit) {
      chosen.push({ cluster: s.cluster, candidate: fit });
      leaves += fit.k - 1;
      reasons.set(s.cluster, `cluster ${s.cluster} split in ${fit.k}: silhouette ${fit.silhouette.toFixed(3)}, stability ARI ${fit.stability.toFixed(2)}, parts of ${fit.sizes.join(', ')}.`);
    } else {
      const why = ok.length
        ? `no room under ${maxLeaves} types`
        : [...s.candidates.filter((c) => !c.usable).map((c) => `k=${c.k}: ${c.reason}`), ...vetoes].join('; ') || 'no split analysed';
      reasons.set(s.cluster, `cluster ${s.cluster} kept whole: ${why}.`);
    }
  }
  chosen.sort((a, b) => a.cluster - b.cluster);
  return { chosen, leaves, reasons: splits.map((s) => reasons.get(s.cluster)!) };
}

export interface TreeLabels {
  /** Leaf of every row (0..leaves-1), -1 where the first level is -1. */
  leaf: Int32Array;
  /** First-level cluster of each leaf. */
  parentOf: number[];
  /** Part of each leaf within its parent (0 for unsplit clusters). */
  partOf: number[];
  /** Whether each leaf's parent was split. */
  split: boolean[];
}

/** Numbers the leaves of a first partition and its chosen splits (see module comment). */
export function treeLabels(labels: ArrayLike<number>, splits: ClusterSplits[], chosen: ChosenSplit[]): TreeLabels {
  const lab = toLabels(labels, null);
  const leaf = new Int32Array(lab.length).fill(-1);
  const parentOf: number[] = [];
  const partOf: number[] = [];
  const split: boolean[] = [];
  const byCluster = new Map(chosen.map((c) => [c.cluster, c.candidate]));
  for (const s of [...splits].sort((a, b) => a.cluster - b.cluster)) {
    const cand = byCluster.get(s.cluster);
    const k = cand ? cand.k : 1;
    const base = parentOf.length;
    for (let p = 0; p < k; p++) {
      parentOf.push(s.cluster);
      partOf.push(p);
      split.push(!!cand);
    }
    s.members.forEach((i, j) => (leaf[i] = base + (cand ? cand.labels[j] : 0)));
  }
  return { leaf, parentOf, partOf, split };
}

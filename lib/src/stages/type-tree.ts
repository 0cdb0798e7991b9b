/**
 * Two-level face types and their comparison with flat alternatives.
 *
 * Level 1 is the stage's k (elbow, stable, separated). Level 2 splits each level-1 type again on
 * the same matrix (cluster/split.ts: k = 2..4, bootstrap ARI >= 0.8, silhouette not degenerate)
 * and keeps a split only when its parts can be told apart in words: their true labels differ, or
 * one validated trait's share differs by at least `minTraitGap` (25 points) between them (the
 * labels then name that share). At most `maxTypes` (10) leaves.
 *
 * `compareTypings` puts the two-level types beside flat K-Means at the elbow, flat K-Means at the
 * largest stable k <= 10 and K-Means on attribute-weighted features (the matrix with the validated
 * traits one-hot at `attributeWeight`), on the same rows: number of types, cosine silhouette,
 * stability, distinct labels and, with external labels, the NMI with each of them.
 */
import type { FaceTrait } from '../features/traits';
import { analyzeK, type KAnalysis } from '../cluster/analyze';
import { concatColumns, matrix, type Matrix } from '../cluster/matrix';
import { normalizedMutualInfo, silhouetteScore } from '../cluster/metrics';
import { chooseSplits, splitCandidates, treeLabels, type ClusterSplits, type SplitChoice, type SplitOptions } from '../cluster/split';
import { explainClusters, faceAttributesFromMatrix, type ClusterExplanations } from './explain';
import type { TypesSummary } from './types';
import { faceTraits, type FaceFeatures } from './features';
import { DataError, integerInRange, numberInRange, withDefaults } from '../validate';
import {
  claimsFor, faceApiTraits, labelOf, labelTypes, largestTraitGap, mergeTraits, shareTableRows, typeTraitShares, type LabelOptions, type TraitShares, type TypeLabel,
} from './type-labels';

export interface TypeTreeOptions {
  /** Most leaves in all (default 10, the task's limit). */
  maxTypes: number;
  /** Smallest gap of a validated trait's share between parts that makes them nameable apart (default 0.25). */
  minTraitGap: number;
  split: Partial<SplitOptions>;
  label: Partial<LabelOptions>;
}

export const TYPE_TREE_DEFAULTS: TypeTreeOptions = { maxTypes: 10, minTraitGap: 0.25, split: {}, label: {} };

export interface TypeNode {
  /** "3" for a level-1 type, "3.1" for its second part. */
  id: string;
  level: 1 | 2;
  /** Level-1 type, and the leaf index (level 2, or a level-1 type that was kept whole). */
  parent: number;
  leaf: number | null;
  size: number;
  label: string;
  /** Parent id for the tree chart ('' for a level-1 node). */
  parentId: string;
  mixed: boolean;
}

export interface TypeTree {
  level1: Int32Array;
  /** The types (leaves) of every face. */
  leaves: Int32Array;
  level1Labels: TypeLabel[];
  leafLabels: TypeLabel[];
  /** Level-1 nodes, each followed by its parts. */
  nodes: TypeNode[];
  splits: ClusterSplits[];
  choice: SplitChoice;
  /** Level-1 type of each leaf. */
  parentOf: number[];
  /** Mean ARI of the chosen splits (NaN when none). */
  splitStability: number;
  /** One paragraph: which types were split and why, which not. */
  justification: string;
}

/** Level 2 on top of a level-1 partition (see module comment). */
export async function twoLevelTypes(X: Matrix, level1: Int32Array, traits: FaceTrait[], options: Partial<TypeTreeOptions> = {}): Promise<TypeTree> {
  const o = withDefaults('twoLevelTypes options', TYPE_TREE_DEFAULTS, options);
  integerInRange('maxTypes', o.maxTypes, 1, 10);
  numberInRange('minTraitGap', o.minTraitGap, 0, 1);
  const splits = await splitCandidates(X, level1, o.split);
  const choice = chooseSplits(splits, o.maxTypes, (_cluster, cand, members) => {
    const parts: number[][] = Array.from({ length: cand.k }, () => []);
    cand.labels.forEach((p, j) => parts[p].push(members[j]));
    const words = parts.map((rows) => labelOf(claimsFor(rows, traits, o.label)));
    if (new Set(words).size === words.length) return true;
    const gap = largestTraitGap(parts, traits);
    if (gap.gap >= o.minTraitGap) return true;
    return `its parts read alike (${[...new Set(words)].map((w) => `"${w}"`).join(', ')}) and no validated trait differs by ${Math.round(100 * o.minTraitGap)} points between them (largest: ${Math.round(100 * gap.gap)} points, ${gap.words || 'none'})`;
  });
  const tree = treeLabels(level1, splits, choice.chosen);
  const level1Labels = labelTypes(level1, traits, o.label);
  const leafLabels = labelTypes(tree.leaf, traits, o.label);
  const l1 = new Map(level1Labels.map((t) => [t.type, t]));
  const lf = new Map(leafLabels.map((t) => [t.type, t]));
  const nodes: TypeNode[] = [];
  for (const t of level1Labels) {
    const leaves = tree.parentOf.map((p, leaf) => (p === t.type ? leaf : -1)).filter((x) => x >= 0);
    const whole = leaves.length === 1 && !tree.split[leaves[0]];
    nodes.push({ id: String(t.type), level: 1, parent: t.type, leaf: whole ? leaves[0] : null, size: t.size, label: whole ? lf.get(leaves[0])!.label : t.label, parentId: '', mixed: t.mixed });
    if (!whole) {
      for (const leaf of leaves) {
        const s = lf.get(leaf)!;
        nodes.push({ id: `${t.type}.${tree.partOf[leaf]}`, level: 2, parent: t.type, leaf, size: s.size, label: s.label, parentId: String(t.type), mixed: s.mixed });
      }
    }
  }
  const stab = choice.chosen.map((c) => c.candidate.stability).filter(Number.isFinite);
  const justification = `${choice.leaves} types: ${choice.chosen.length} of the ${level1Labels.length} level-1 types ` +
    `${choice.chosen.length === 1 ? 'was' : 'were'} split again (stable, separated, and nameable apart), at most ${o.maxTypes} in all. ` +
    choice.reasons.map((r) => r.replace(/^cluster (\d+)/, (_m, c) => `"${l1.get(Number(c))?.label ?? c}"`)).join(' ');
  return {
    level1, leaves: tree.leaf, level1Labels, leafLabels, nodes, splits, choice, parentOf: tree.parentOf,
    splitStability: stab.length ? stab.reduce((a, b) => a + b, 0) / stab.length : NaN, justification,
  };
}

/** Distinct labels that name a true trait ("mixed" labels and the parenthesised shares not counted). */
export function distinctLabels(labels: TypeLabel[]): number {
  return new Set(labels.filter((t) => !t.mixed).map((t) => labelOf(t.claims))).size;
}

/** The validated traits one-hot (a column per category, one per binary trait), NaN as 0. */
export function traitColumns(traits: FaceTrait[]): Matrix {
  const cols: Float32Array[] = [];
  for (const t of traits) {
    if (!t.validated) continue;
    if (t.kind === 'binary') cols.push(Float32Array.from(t.values, (v) => (v === 1 ? 1 : 0)));
    else t.categories!.forEach((_, c) => cols.push(Float32Array.from(t.values, (v) => (v === c ? 1 : 0))));
  }
  const n = traits[0]?.values.length ?? 0;
  const m = matrix(n, cols.length, new Float64Array(n * cols.length));
  cols.forEach((col, j) => col.forEach((v, i) => (m.data[i * cols.length + j] = v)));
  return m;
}

export interface TypingRow {
  typing: string;
  types: number;
  silhouette: number;
  stability: number;
  distinctLabels: number;
  nmi: Record<string, number>;
  labels: Int32Array;
  typeLabels: TypeLabel[];
}

export interface TypingComparison {
  rows: TypingRow[];
  /** Sentence citing the table (why the two-level types). */
  justification: string;
}

export interface CompareOptions {
  /** Weight of the one-hot trait block in the attribute-weighted features (default 0.35). */
  attributeWeight: number;
  seed: number;
  bootstrapSamples: number;
  label: Partial<LabelOptions>;
}

export const COMPARE_DEFAULTS: CompareOptions = { attributeWeight: 0.35, seed: 42, bootstrapSamples: 10, label: {} };

const mean = (a: number[]): number => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);

/** The comparison table (see module comment). `elbowK` is the level-1 k of the analysis. */
export async function compareTypings(
  X: Matrix, analysis: KAnalysis, elbowK: number, tree: TypeTree, traits: FaceTrait[],
  external: Record<string, ArrayLike<number>> | null, options: Partial<CompareOptions> = {},
): Promise<TypingComparison> {
  const o = withDefaults('compareTypings options', COMPARE_DEFAULTS, options);
  const nmi = (labels: Int32Array): Record<string, number> => Object.fromEntries(Object.entries(external ?? {}).map(([a, col]) => [a, normalizedMutualInfo(col, labels)]));
  const row = (typing: string, labels: Int32Array, stability: number, typeLabels?: TypeLabel[]): TypingRow => {
    const tl = typeLabels ?? labelTypes(labels, traits, o.label);
    return { typing, types: tl.length, silhouette: silhouetteScore(X, labels, { metric: 'cosine' }), stability, distinctLabels: distinctLabels(tl), nmi: nmi(labels), labels, typeLabels: tl };
  };
  const at = (k: number) => analysis.scores.find((s) => s.k === k)!;
  const elbow = at(elbowK);
  const stableKs = analysis.scores.filter((s) => s.k <= 10 && s.stability >= 0.8).map((s) => s.k);
  const largest = at(stableKs.length ? Math.max(...stableKs) : elbowK);
  const level1Stability = elbow.stability;
  const rows: TypingRow[] = [
    row('two-level types', tree.leaves, tree.choice.chosen.length ? Math.min(level1Stability, ...tree.choice.chosen.map((c) => c.candidate.stability)) : level1Stability, tree.leafLabels),
    row(`flat K-Means, elbow (k=${elbow.k})`, elbow.labels, elbow.stability),
    row(`flat K-Means, largest stable k (k=${largest.k})`, largest.labels, largest.stability),
  ];
  const kw = Math.max(2, tree.choice.leaves);
  const W = concatColumns([{ x: X, weight: 1 }, { x: traitColumns(traits), weight: o.attributeWeight }]);
  const wa = await analyzeK(W, { kMin: kw, kMax: kw, nInit: 5, seed: o.seed, metric: 'cosine', bootstrap: { samples: o.bootstrapSamples, fraction: 0.8 } });
  rows.push(row(`attribute-weighted features (k=${kw})`, wa.scores[0].labels, wa.scores[0].stability));
  const [two, ...others] = rows;
  const meanNmi = (r: TypingRow) => mean(Object.values(r.nmi));
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const justification = `Two-level types: ${two.types} types, silhouette ${f(two.silhouette)}, stability ${f(two.stability, 2)} (lowest of the levels), ` +
    `${two.distinctLabels} distinct true labels${external ? `, mean NMI with the external labels ${f(meanNmi(two))}` : ''}; ` +
    others.map((r) => `${r.typing}: ${r.types} types, silhouette ${f(r.silhouette)}, stability ${f(r.stability, 2)}, ${r.distinctLabels} distinct labels${external ? `, mean NMI ${f(meanNmi(r))}` : ''}`).join('; ') +
    ' (comparison table).';
  return { rows, justification };
}

/** Display-ready rows of the comparison (one decimal for percentages, three for indices). */
export function typingRows(c: TypingComparison): Record<string, string | number>[] {
  return c.rows.map((r) => ({
    typing: r.typing, types: r.types, silhouette: r.silhouette.toFixed(3), stability: Number.isFinite(r.stability) ? r.stability.toFixed(2) : 'n/a', 'distinct labels': r.distinctLabels,
    ...Object.fromEntries(Object.entries(r.nmi).map(([a, v]) => [`NMI ${a}`, v.toFixed(3)])),
  }));
}

/** Mean row of each label 0..k-1 (k x d). */
export function labelCentroids(X: Matrix, labels: Int32Array, k: number): Matrix {
  const c = new Float64Array(k * X.cols);
  const cnt = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    cnt[l]++;
    for (let j = 0; j < X.cols; j++) c[l * X.cols + j] += X.data[i * X.cols + j];
  }
  for (let l = 0; l < k; l++) for (let j = 0; j < X.cols; j++) c[l * X.cols + j] /= Math.max(1, cnt[l]);
  return matrix(k, X.cols, c);
}

export interface FaceTypes {
  traits: FaceTrait[];
  tree: TypeTree;
  /** The leaves explained (closest faces, face-api profile) with their true labels. */
  explained: ClusterExplanations;
  /** Leaf centroids in X. */
  centroids: Matrix;
  /** Share table of the leaves (rows: types, columns: trait values). */
  shares: TraitShares;
  /** Leaf id -> label. */
  names: Map<number, string>;
}

/**
 * The traits the types are labelled and profiled with: face-api's age band, gender and smiling
 * (faceApiTraits), then the measured ones (stages/features.ts faceTraits: skin tone, glasses, beard,
 * moustache, goatee, black/brown/blond/grey hair, bald, hat). The hair colour category is left out:
 * its five binary traits are in, each with its own validation.
 */
export function typeTraits(f: Pick<FaceFeatures, 'names' | 'attributes' | 'measures'>, options: Partial<LabelOptions> = {}): FaceTrait[] {
  const measured = faceTraits(f).filter((t) => !['ageBand', 'gender', 'hairColour'].includes(t.name));
  return mergeTraits(faceApiTraits(f.attributes, options), measured);
}

/**
 * The face types of a run: its traits (typeTraits), the two-level tree on the level-1 labels of
 * `k`, the leaves explained and labelled truly.
 */
export async function faceTypes(
  X: Matrix, analysis: KAnalysis, k: number, f: Pick<FaceFeatures, 'names' | 'attributes' | 'measures'>, options: Partial<TypeTreeOptions> = {},
): Promise<FaceTypes> {
  const attributes = f.attributes;
  const level1 = analysis.scores.find((s) => s.k === k);
  if (!level1) throw new DataError(`k=${k} was not analysed (analysed: ${analysis.ks.join(', ')})`);
  const traits = typeTraits(f, options.label);
  const tree = await twoLevelTypes(X, level1.labels, traits, { ...options, split: { seed: analysis.seed, ...options.split } });
  const nLeaves = tree.parentOf.length;
  const centroids = labelCentroids(X, tree.leaves, nLeaves);
  const explained = explainClusters(tree.leaves, faceAttributesFromMatrix(attributes), { X, centroids });
  const names = new Map(tree.leafLabels.map((t) => [t.type, t.label]));
  const lines = explained.text.split('\n');
  for (const c of explained.clusters) {
    const head = `cluster ${c.cluster}: ${c.label} - `;
    c.label = names.get(c.cluster)!;
    const i = lines.findIndex((l) => l.startsWith(head));
    if (i >= 0) lines[i] = `cluster ${c.cluster}: ${c.label} - ${lines[i].slice(head.length)}`;
  }
  explained.text = lines.join('\n');
  return { traits, tree, explained, centroids, shares: typeTraitShares(tree.leaves, traits), names };
}

/** What clusters.json keeps of the types (the tree, the share table, the comparison). */
export function typesSummary(ft: FaceTypes, comparison?: TypingComparison): TypesSummary {
  const sizes = new Map(ft.tree.leafLabels.map((t) => [t.type, t.size]));
  return {
    level1K: ft.tree.level1Labels.length,
    nodes: ft.tree.nodes.map((n) => ({ ...n })),
    level1Labels: ft.tree.level1Labels.map((t) => t.label),
    justification: ft.tree.justification,
    shares: shareTableRows(ft.shares, ft.names, sizes),
    traitShares: ft.shares,
    ...(comparison ? { comparison: typingRows(comparison), comparisonJustification: comparison.justification } : {}),
  };
}

/** Display-ready rows of the tree: every node with its size, label and profile (its most frequent trait values, %). */
export function treeRows(ft: FaceTypes, top = 4): Record<string, string | number>[] {
  const l1 = typeTraitShares(ft.tree.level1, ft.traits);
  const total = ft.tree.level1.length;
  return ft.tree.nodes.map((n) => {
    const s = n.level === 1 && n.leaf === null ? l1 : ft.shares;
    const r = s.types.indexOf(n.level === 1 && n.leaf === null ? n.parent : n.leaf!);
    const profile = s.columns.map((c, j) => ({ c, v: s.share[r][j] })).filter((x) => x.c.validated && Number.isFinite(x.v))
      .sort((a, b) => b.v - a.v).slice(0, top).map((x) => `${x.c.name} ${(100 * x.v).toFixed(1)}%`).join(', ');
    return { node: n.level === 2 ? `  ${n.id}` : n.id, label: n.label, faces: n.size, share: `${(100 * n.size / total).toFixed(1)}%`, profile };
  });
}

/**
 * What the clusters are, in words a person can check: per cluster its size, mean age, share of
 * men, mean expression probabilities (face-api's age/gender/expression estimates), a short label,
 * the faces closest to its centroid (the typical faces) and the farthest (the outliers); and how
 * clusters relate to external binary attributes (CelebA's Male, Young, Eyeglasses, Smiling...).
 *
 * Label wording (documented so it can be checked against the numbers):
 * - age band of the mean age: under 35 "young", 35 to 49 "middle-aged", 50 and over "older"
 *   (face-api's estimates run a few years high: CelebA's faces marked Young average about 31);
 * - gender from the mean male probability: >= 0.65 "men", <= 0.35 "women", otherwise
 *   "men and women";
 * - expression: the one that sets the cluster apart: the largest excess of its mean probability
 *   over all faces' mean, when at least 0.08 (otherwise no expression word: most celebrities
 *   smile, so "smiling" on every cluster would say nothing); worded neutral -> "neutral",
 *   happy -> "smiling", sad -> "sad", angry -> "angry", fearful -> "fearful",
 *   disgusted -> "disgusted", surprised -> "surprised".
 * Example: "older men, neutral", "young women, smiling". When several clusters get the same text,
 * each gets in parentheses the measure that differs most among them (mean age, share of men, or
 * the mean probability of their second expression; spreads compared in units of 10 years, 20
 * percentage points and 0.1), and if the texts still collide, "#<cluster>".
 */
import { DataError, InvalidParameterError, integerInRange, withDefaults } from '../validate';
import { DEFAULTS } from '../cluster/defaults';
import { sqDist } from '../cluster/kernels';
import { type Matrix, type MatrixInput, toLabels, toMatrix } from '../cluster/matrix';
import { normalizedMutualInfo } from '../cluster/metrics';
import { textTable } from '../cluster/compare';

import { EXPRESSIONS, type Expression } from '../features/expressions';
import { ATTRIBUTE, ATTRIBUTE_DIM } from '../features/layout';

export { EXPRESSIONS, type Expression };

/** face-api's estimates for one face. */
export interface FaceAttributes {
  /** Estimated age in years. */
  age: number;
  /** Probability that the face is male, 0..1. */
  male: number;
  /** Probability of each expression (they sum to about 1). */
  expressions: Record<Expression, number>;
}

/**
 * The features stage's attribute matrix (N x 9, row-major: age, male, then the 7 expressions in
 * EXPRESSIONS order, as `features.extractFeatures().attributes`) as one FaceAttributes per face.
 */
export function faceAttributesFromMatrix(attributes: ArrayLike<number>): FaceAttributes[] {
  if (!attributes || typeof attributes.length !== 'number') throw new InvalidParameterError('attributes', 'an N x 9 array (age, male, 7 expressions)', attributes);
  const D = ATTRIBUTE_DIM;
  if (attributes.length % D !== 0) throw new DataError(`attributes has ${attributes.length} values, not a multiple of ${D} (age, male, 7 expressions per face)`);
  const out: FaceAttributes[] = [];
  for (let o = 0; o < attributes.length; o += D) {
    const expressions = {} as Record<Expression, number>;
    EXPRESSIONS.forEach((e, t) => { expressions[e] = attributes[o + ATTRIBUTE.firstExpression + t]; });
    out.push({ age: attributes[o + ATTRIBUTE.age], male: attributes[o + ATTRIBUTE.male], expressions });
  }
  return out;
}

export interface ExplainOptions {
  /** Cluster centres (k x d) for closest/outlier faces; computed from X when omitted. */
  centroids?: Matrix;
  /** The clustered data; needed for closest/outlier faces. */
  X?: MatrixInput;
  /** Faces listed as closest to the centroid (default 9). */
  nClosest?: number;
  /** Faces listed as farthest from the centroid (default 6). */
  nOutliers?: number;
}

export interface ClusterExplanation {
  cluster: number;
  size: number;
  /** Share of all faces (noise included in the denominator). */
  share: number;
  ageMean: number;
  ageStd: number;
  /** Share of faces with male probability > 0.5. */
  maleShare: number;
  /** Mean male probability. */
  maleMean: number;
  /** Mean probability of each expression. */
  expressions: Record<Expression, number>;
  /** Expressions by decreasing mean probability, top 3. */
  dominantExpressions: { expression: Expression; mean: number }[];
  /** Short generated label (see module comment); unique among clusters. */
  label: string;
  /** Indices of the faces closest to the centroid, closest first. */
  closest: number[];
  /** Indices of the faces farthest from the centroid, farthest first. */
  outliers: number[];
}

export interface ClusterExplanations {
  clusters: ClusterExplanation[];
  /** Faces labelled -1 (noise), not described. */
  nNoise: number;
  /** One line per cluster, for the text/plain output. */
  text: string;
}

const EXPRESSION_WORD: Record<Expression, string> = {
  neutral: 'neutral', happy: 'smiling', sad: 'sad', angry: 'angry', fearful: 'fearful', disgusted: 'disgusted', surprised: 'surprised',
};

/** Age band word of a mean age (see module comment). */
export function ageBand(age: number): string {
  return age < 35 ? 'young' : age < 50 ? 'middle-aged' : 'older';
}

/** Gender word of a mean male probability (see module comment). */
export function genderWord(maleMean: number): string {
  return maleMean >= 0.65 ? 'men' : maleMean <= 0.35 ? 'women' : 'men and women';
}

function checkAttributes(attributes: FaceAttributes[], n: number): void {
  if (!Array.isArray(attributes)) throw new InvalidParameterError('attributes', 'an array of { age, male, expressions }', attributes);
  if (attributes.length !== n) throw new DataError(`attributes has ${attributes.length} entries for ${n} labels`);
  for (let i = 0; i < n; i++) {
    const a = attributes[i];
    if (!a || !Number.isFinite(a.age)) throw new DataError(`attributes[${i}].age is ${a?.age}`);
    if (!Number.isFinite(a.male) || a.male < 0 || a.male > 1) throw new DataError(`attributes[${i}].male is ${a.male}, expected a probability in [0, 1]`);
    if (!a.expressions) throw new DataError(`attributes[${i}].expressions is missing`);
    for (const e of EXPRESSIONS) if (!Number.isFinite(a.expressions[e])) throw new DataError(`attributes[${i}].expressions.${e} is ${a.expressions[e]}`);
  }
}

/** ', <expression word>' for the expression a cluster shows clearly more than all faces, else ''. */
function distinctive(cluster: Record<Expression, number>, overall: Record<Expression, number>): string {
  let best: Expression | null = null;
  let excess = 0.08;
  for (const e of EXPRESSIONS) {
    const d = cluster[e] - overall[e];
    if (d >= excess) {
      excess = d;
      best = e;
    }
  }
  return best ? `, ${EXPRESSION_WORD[best]}` : '';
}

/** Describes every cluster (see module comment). Clusters are the labels >= 0, ascending. */
export function explainClusters(labels: ArrayLike<number>, attributes: FaceAttributes[], options?: ExplainOptions): ClusterExplanations {
  const lab = toLabels(labels, null);
  const n = lab.length;
  if (n === 0) throw new DataError('explainClusters: no labels');
  checkAttributes(attributes, n);
  const o = withDefaults('explainClusters options', { centroids: undefined, X: undefined, ...DEFAULTS.explain } as ExplainOptions, options);
  const nClosest = integerInRange('nClosest', o.nClosest, 0);
  const nOutliers = integerInRange('nOutliers', o.nOutliers, 0);
  const ids = Array.from(new Set(Array.from(lab).filter((l) => l >= 0))).sort((a, b) => a - b);
  const X = o.X !== undefined ? toMatrix(o.X) : null;
  if (X && X.rows !== n) throw new DataError(`X has ${X.rows} rows for ${n} labels`);
  let C: Matrix | null = o.centroids ? toMatrix(o.centroids, 'centroids') : null;
  if (C && X && C.cols !== X.cols) throw new DataError(`centroids have ${C.cols} columns, X has ${X.cols}`);
  if (C && ids.length && C.rows <= ids[ids.length - 1]) throw new DataError(`centroids has ${C.rows} rows but label ${ids[ids.length - 1]} occurs`);
  if (!C && X) {
    const k = ids.length ? ids[ids.length - 1] + 1 : 0;
    const c = new Float64Array(k * X.cols);
    const cnt = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      if (lab[i] < 0) continue;
      cnt[lab[i]]++;
      for (let j = 0; j < X.cols; j++) c[lab[i] * X.cols + j] += X.data[i * X.cols + j];
    }
    for (let a = 0; a < k; a++) for (let j = 0; j < X.cols; j++) c[a * X.cols + j] /= Math.max(1, cnt[a]);
    C = { rows: k, cols: X.cols, data: c };
  }
  let nNoise = 0;
  for (let i = 0; i < n; i++) if (lab[i] < 0) nNoise++;
  // all faces' mean expression probabilities: a cluster's expression word is what sets it apart
  const overall = Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])) as Record<Expression, number>;
  for (let i = 0; i < n; i++) for (const e of EXPRESSIONS) overall[e] += attributes[i].expressions[e] / n;
  const clusters: ClusterExplanation[] = ids.map((c) => {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (lab[i] === c) members.push(i);
    const size = members.length;
    let age = 0, age2 = 0, maleShare = 0, maleMean = 0;
    const ex = Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])) as Record<Expression, number>;
    for (const i of members) {
      const a = attributes[i];
      age += a.age;
      age2 += a.age * a.age;
      maleMean += a.male;
      if (a.male > 0.5) maleShare++;
      for (const e of EXPRESSIONS) ex[e] += a.expressions[e];
    }
    const ageMean = age / size;
    const ageStd = Math.sqrt(Math.max(0, age2 / size - ageMean * ageMean));
    for (const e of EXPRESSIONS) ex[e] /= size;
    const dominant = [...EXPRESSIONS].sort((a, b) => ex[b] - ex[a]).slice(0, 3).map((e) => ({ expression: e, mean: ex[e] }));
    let closest: number[] = [];
    let outliers: number[] = [];
    if (X && C) {
      const dist = members.map((i) => ({ i, v: sqDist(X.data, i * X.cols, C!.data, c * C!.cols, X.cols) }));
      dist.sort((a, b) => a.v - b.v || a.i - b.i);
      closest = dist.slice(0, nClosest).map((t) => t.i);
      outliers = dist.slice(Math.max(0, dist.length - nOutliers)).reverse().map((t) => t.i);
    }
    return {
      cluster: c, size, share: size / n, ageMean, ageStd, maleShare: maleShare / size, maleMean: maleMean / size,
      expressions: ex, dominantExpressions: dominant,
      label: `${ageBand(ageMean)} ${genderWord(maleMean / size)}${distinctive(ex, overall)}`,
      closest, outliers,
    };
  });
  uniqueLabels(clusters);
  const text = clusters.map((c) =>
    `cluster ${c.cluster}: ${c.label} - ${c.size} faces (${(100 * c.share).toFixed(1)}%), age ${c.ageMean.toFixed(0)} +/- ${c.ageStd.toFixed(0)}, ` +
    `${(100 * c.maleShare).toFixed(0)}% men, ${c.dominantExpressions.slice(0, 2).map((d) => `${d.expression} ${d.mean.toFixed(2)}`).join(', ')}`,
  ).join('\n') + (nNoise ? `\nnoise: ${nNoise} faces` : '');
  return { clusters, nNoise, text };
}

/** Makes labels unique by naming what differs (see module comment). */
function uniqueLabels(clusters: ClusterExplanation[]): void {
  const groups = new Map<string, ClusterExplanation[]>();
  for (const c of clusters) groups.set(c.label, [...(groups.get(c.label) ?? []), c]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const spread = (f: (c: ClusterExplanation) => number): number => Math.max(...group.map(f)) - Math.min(...group.map(f));
    const second = (c: ClusterExplanation): { expression: Expression; mean: number } => c.dominantExpressions[1];
    // the second expression may differ between clusters: compare the probability of the group's most common one
    const secondName = second(group[0]).expression;
    const qualifiers: { spread: number; text: (c: ClusterExplanation) => string }[] = [
      { spread: spread((c) => c.ageMean) / 10, text: (c) => `mean age ${c.ageMean.toFixed(0)}` },
      { spread: spread((c) => c.maleMean) / 0.2, text: (c) => `${(100 * c.maleShare).toFixed(0)}% men` },
      { spread: spread((c) => c.expressions[secondName]) / 0.1, text: (c) => `${secondName} ${c.expressions[secondName].toFixed(2)}` },
    ];
    const best = qualifiers.reduce((a, b) => (b.spread > a.spread ? b : a));
    for (const c of group) c.label = `${c.label} (${best.text(c)})`;
    const seen = new Map<string, number>();
    for (const c of group) seen.set(c.label, (seen.get(c.label) ?? 0) + 1);
    for (const c of group) if (seen.get(c.label)! > 1) c.label = `${c.label} #${c.cluster}`;
  }
}

export interface AttributeScores {
  attributes: string[];
  /** Cluster ids (labels >= 0, ascending; noise -1 last when present). */
  clusters: number[];
  /** share[c][a]: share of cluster c's faces having attribute a. */
  share: number[][];
  /** Share of all faces having each attribute. */
  overall: number[];
  /** NMI between the cluster labels (noise as its own group) and each attribute (0: unrelated, 1: the same partition). */
  nmi: number[];
  text: string;
}

/**
 * Per-cluster share of each external binary attribute and the NMI between clusters and each
 * attribute. `table` maps an attribute name to one value per face: 1 = has it, 0 or -1 = not
 * (CelebA's raw files use -1).
 */
export function scoreAgainstLabels(labels: ArrayLike<number>, table: Record<string, ArrayLike<number>>): AttributeScores {
  const lab = toLabels(labels, null);
  const n = lab.length;
  if (n === 0) throw new DataError('scoreAgainstLabels: no labels');
  if (!table || typeof table !== 'object') throw new InvalidParameterError('table', 'an object of attribute columns', table);
  const attributes = Object.keys(table);
  if (attributes.length === 0) throw new DataError('scoreAgainstLabels: the table has no attribute column');
  const cols = attributes.map((a) => {
    const col = table[a];
    if (!col || col.length !== n) throw new DataError(`attribute ${a} has ${col?.length ?? 0} values for ${n} labels`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (v === 1) out[i] = 1;
      else if (v === 0 || v === -1) out[i] = 0;
      else throw new DataError(`attribute ${a} has value ${v} at row ${i}; expected 1, 0 or -1`);
    }
    return out;
  });
  const ids = Array.from(new Set(lab)).sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const share = ids.map((c) => {
    let size = 0;
    const has = new Array<number>(attributes.length).fill(0);
    for (let i = 0; i < n; i++) {
      if (lab[i] !== c) continue;
      size++;
      for (let a = 0; a < attributes.length; a++) has[a] += cols[a][i];
    }
    return has.map((h) => h / size);
  });
  const overall = cols.map((col) => col.reduce((s, v) => s + v, 0) / n);
  const nmi = cols.map((col) => normalizedMutualInfo(col, lab));
  const text = textTable(
    ['cluster', ...attributes],
    [
      ...ids.map((c, r) => [c < 0 ? 'noise' : String(c), ...share[r].map((v) => `${(100 * v).toFixed(0)}%`)]),
      ['all', ...overall.map((v) => `${(100 * v).toFixed(0)}%`)],
      ['NMI', ...nmi.map((v) => v.toFixed(3))],
    ],
  );
  return { attributes, clusters: ids, share, overall, nmi, text };
}

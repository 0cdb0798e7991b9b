/**
 * From measured attributes (attributes.ts) and face-api's estimates to per-face traits
 * (traits.ts): a calibration holds, per binary attribute, a tiny logistic model over a few
 * measures, its threshold and its ROC AUC on held-out CelebA identities (attribute-calibration.ts,
 * written by scripts/validate-attributes.ts). Also the numeric helpers that script uses.
 */
import { AGE_BANDS, ITA_CATEGORIES, MEASURES, MEASURE_DIM, ageBand, itaCategory, type MeasureName } from './attributes';
import { MIN_LABEL_AUC, type FaceTrait } from './traits';

/** Measures and their standardisation (mean, standard deviation on the tuning faces). */
export interface Standardisation {
  measures: MeasureName[];
  mean: number[];
  sd: number[];
}

/** A logistic model over standardised measures: score = sigmoid(bias + sum w_i (x_i - mean_i) / sd_i). */
export interface LogisticModel extends Standardisation {
  weights: number[];
  bias: number;
}

export interface BinaryCalibration {
  /** CelebA label it was validated against (negated when `negate`, e.g. beard = not No_Beard). */
  label: string;
  negate?: boolean;
  /** The model's inputs: a key of AttributeCalibration.inputs (several models share one). */
  inputs: string;
  weights: number[];
  bias: number;
  /** Threshold on the score (max F1 on the tuning half). */
  threshold: number;
  /** ROC AUC on the held-out half of identities. */
  auc: number;
}

export interface AttributeCalibration {
  /** Where and how it was measured (data, faces, split). */
  source: string;
  inputs: Record<string, Standardisation>;
  binary: Record<string, BinaryCalibration>;
  /** AUC of ITA against Pale_Skin, of -age against Young, of P(male) against Male (held-out half; null: not measured). */
  skinAuc: number;
  ageAuc: number | null;
  maleAuc: number | null;
  /** Pale_Skin threshold on ITA (max F1 on the tuning half). */
  paleItaThreshold: number;
}

/** Binary traits: name -> the word a label uses. */
export const BINARY_TRAITS = {
  glasses: 'with glasses',
  beard: 'with a beard',
  moustache: 'with a moustache',
  goatee: 'with a goatee',
  blackHair: 'with black hair',
  brownHair: 'with brown hair',
  blondHair: 'with blond hair',
  greyHair: 'with grey hair',
  bald: 'bald',
  hat: 'wearing a hat',
} as const;
export type BinaryTraitName = keyof typeof BINARY_TRAITS;

/** Hair colour categories and the binary trait behind each. */
export const HAIR_COLOURS = ['black', 'brown', 'blond', 'grey', 'none'] as const;
const HAIR_TRAITS: BinaryTraitName[] = ['blackHair', 'brownHair', 'blondHair', 'greyHair', 'bald'];

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The logistic model of a calibrated binary trait. */
export function calibratedModel(calibration: AttributeCalibration, name: string): LogisticModel {
  const b = calibration.binary[name];
  const inputs = b && calibration.inputs[b.inputs];
  if (!inputs) throw new Error(`The attribute calibration has no model for '${name}'`);
  return { ...inputs, weights: b.weights, bias: b.bias };
}

/** The model's score for one row of measures (NaN if a measure it uses is NaN). */
export function logisticScore(model: LogisticModel, row: ArrayLike<number>): number {
  let z = model.bias;
  for (let j = 0; j < model.measures.length; j++) {
    const x = row[MEASURES.indexOf(model.measures[j])];
    if (!Number.isFinite(x)) return NaN;
    z += (model.weights[j] * (x - model.mean[j])) / model.sd[j];
  }
  return sigmoid(z);
}

/** Fits a logistic model (Newton's method, L2 penalty `lambda` on the weights) on rows with every measure finite. */
export function fitLogistic(measures: MeasureName[], rows: Float32Array[], y: ArrayLike<number>, lambda = 1e-2): LogisticModel {
  const cols = measures.map((m) => MEASURES.indexOf(m));
  const use = rows.map((r, i) => i).filter((i) => cols.every((c) => Number.isFinite(rows[i][c])));
  const d = cols.length;
  const mean = cols.map((c) => use.reduce((s, i) => s + rows[i][c], 0) / use.length);
  const sd = cols.map((c, j) => Math.sqrt(use.reduce((s, i) => s + (rows[i][c] - mean[j]) ** 2, 0) / use.length) || 1);
  const X = use.map((i) => [1, ...cols.map((c, j) => (rows[i][c] - mean[j]) / sd[j])]);
  const Y = use.map((i) => y[i]);
  const w = new Array(d + 1).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array(d + 1).fill(0);
    const H = Array.from({ length: d + 1 }, () => new Array(d + 1).fill(0));
    X.forEach((x, n) => {
      const p = sigmoid(x.reduce((s, v, j) => s + v * w[j], 0));
      const r = p * (1 - p);
      for (let a = 0; a <= d; a++) {
        g[a] += (p - Y[n]) * x[a];
        for (let b = 0; b <= d; b++) H[a][b] += r * x[a] * x[b];
      }
    });
    for (let a = 1; a <= d; a++) {
      g[a] += lambda * X.length * w[a];
      H[a][a] += lambda * X.length;
    }
    const step = solve(H, g);
    let change = 0;
    for (let a = 0; a <= d; a++) {
      w[a] -= step[a];
      change = Math.max(change, Math.abs(step[a]));
    }
    if (change < 1e-6) break;
  }
  return { measures, mean, sd, weights: w.slice(1), bias: w[0] };
}

/** Solves A x = b (Gaussian elimination with partial pivoting; A is small and positive definite). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** ROC AUC of scores against 0/1 labels (ties count half); NaN scores are left out. */
export function rocAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const pairs: [number, number][] = [];
  for (let i = 0; i < score.length; i++) if (Number.isFinite(score[i])) pairs.push([score[i], y[i]]);
  pairs.sort((a, b) => a[0] - b[0]);
  let rankSum = 0, pos = 0, neg = 0;
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    while (j < pairs.length && pairs[j][0] === pairs[i][0]) j++;
    for (let k = i; k < j; k++) {
      if (pairs[k][1]) {
        rankSum += (i + j + 1) / 2;
        pos++;
      } else neg++;
    }
    i = j;
  }
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** The threshold on `score` with the best F1 for the positive class, and that F1. */
export function bestF1Threshold(score: ArrayLike<number>, y: ArrayLike<number>): { threshold: number; f1: number } {
  const pairs: [number, number][] = [];
  for (let i = 0; i < score.length; i++) if (Number.isFinite(score[i])) pairs.push([score[i], y[i]]);
  pairs.sort((a, b) => b[0] - a[0]);
  const total = pairs.reduce((s, p) => s + p[1], 0);
  let tp = 0, best = { threshold: NaN, f1: 0 };
  for (let i = 0; i < pairs.length; i++) {
    tp += pairs[i][1];
    if (i + 1 < pairs.length && pairs[i + 1][0] === pairs[i][0]) continue;
    const f1 = (2 * tp) / (i + 1 + total);
    if (f1 > best.f1) best = { threshold: i + 1 < pairs.length ? (pairs[i][0] + pairs[i + 1][0]) / 2 : pairs[i][0], f1 };
  }
  return best;
}

/** Per-face inputs of the trait builder. */
export interface TraitInputs {
  /** N x MEASURE_DIM measures (measureAttributes rows). */
  measures: Float32Array;
  /** N estimated ages (face-api). */
  age: Float32Array;
  /** N probabilities of male (face-api). */
  male: Float32Array;
}

/**
 * The per-face traits of N faces: age band and gender (model estimates, validated), skin tone
 * (ITA categories), the binary attributes of the calibration and the hair colour (the most likely
 * of the hair traits; 'none' when bald). A measured trait is `validated` when its held-out AUC
 * reaches MIN_LABEL_AUC; the hair colour when every hair trait's does.
 */
export function buildTraits(input: TraitInputs, calibration: AttributeCalibration): FaceTrait[] {
  const n = input.age.length;
  if (input.male.length !== n || input.measures.length !== n * MEASURE_DIM) {
    throw new Error(`buildTraits: ${n} ages, ${input.male.length} gender estimates and ${input.measures.length / MEASURE_DIM} measure rows must match`);
  }
  const row = (i: number) => input.measures.subarray(i * MEASURE_DIM, (i + 1) * MEASURE_DIM);
  const traits: FaceTrait[] = [];
  traits.push({
    name: 'ageBand', kind: 'category', categories: [...AGE_BANDS], ordered: true, values: Float32Array.from(input.age, ageBand), score: Float32Array.from(input.age),
    auc: calibration.ageAuc ?? undefined, validated: true,
  });
  traits.push({
    name: 'gender', kind: 'category', categories: ['woman', 'man'], values: Float32Array.from(input.male, (p) => (Number.isFinite(p) ? (p > 0.5 ? 1 : 0) : NaN)),
    score: Float32Array.from(input.male), auc: calibration.maleAuc ?? undefined, validated: true,
  });
  const ita = Float32Array.from({ length: n }, (_, i) => row(i)[MEASURES.indexOf('ita')]);
  traits.push({
    name: 'skinTone', kind: 'category', categories: [...ITA_CATEGORIES], ordered: true, values: Float32Array.from(ita, itaCategory), score: ita,
    auc: calibration.skinAuc, validated: calibration.skinAuc >= MIN_LABEL_AUC,
  });
  const scores = new Map<BinaryTraitName, Float32Array>();
  for (const name of Object.keys(BINARY_TRAITS) as BinaryTraitName[]) {
    const cal = calibration.binary[name];
    if (!cal) continue;
    const model = calibratedModel(calibration, name);
    const score = Float32Array.from({ length: n }, (_, i) => logisticScore(model, row(i)));
    scores.set(name, score);
    traits.push({
      name, kind: 'binary', word: BINARY_TRAITS[name], score, threshold: cal.threshold, auc: cal.auc, validated: cal.auc >= MIN_LABEL_AUC,
      values: Float32Array.from(score, (s) => (Number.isFinite(s) ? (s >= cal.threshold ? 1 : 0) : NaN)),
    });
  }
  if (HAIR_TRAITS.every((t) => scores.has(t))) {
    const cals = HAIR_TRAITS.map((t) => calibration.binary[t]);
    const values = Float32Array.from({ length: n }, (_, i) => {
      // bald when over its threshold; else the colour whose score is furthest above (or least below) its threshold
      const s = HAIR_TRAITS.map((t, k) => (scores.get(t) as Float32Array)[i] - cals[k].threshold);
      if (s.some((v) => !Number.isFinite(v))) return NaN;
      if (s[4] >= 0) return 4;
      let best = 0;
      for (let k = 1; k < 4; k++) if (s[k] > s[best]) best = k;
      return best;
    });
    traits.push({ name: 'hairColour', kind: 'category', categories: [...HAIR_COLOURS], values, auc: Math.min(...cals.map((c) => c.auc)), validated: cals.every((c) => c.auc >= MIN_LABEL_AUC) });
  }
  return traits;
}

/**
 * One face's traits as table cells (for clusters.csv): a category by its name, a binary trait as
 * 0/1, and the continuous score beside it (`<name>_score`, e.g. the ITA in degrees as
 * `skinTone_score`); null where not measurable.
 */
export function traitCells(traits: FaceTrait[], i: number): Record<string, string | number | null> {
  const cells: Record<string, string | number | null> = {};
  for (const t of traits) {
    const v = t.values[i];
    cells[t.name] = !Number.isFinite(v) ? null : t.kind === 'category' ? (t.categories as string[])[v] : v;
    if (t.score && t.name !== 'ageBand' && t.name !== 'gender') {
      const s = t.score[i];
      cells[`${t.name}_score`] = Number.isFinite(s) ? Math.round(s * 1000) / 1000 : null;
    }
  }
  return cells;
}

/**
 * Labels of face types that are true, checkable word by word.
 *
 * Traits (features/traits.ts) are per-face columns. Beside the measured attributes, this module
 * derives three from face-api's estimates (`faceApiTraits`):
 * - `ageBand` (category, ordered): child (< 13), teen (13-19), young adult (20-34), middle-aged
 *   (35-54), older (55+), from the estimated age;
 * - `gender` (category): woman / man, from the male probability (> 0.5: man);
 * - `smiling` (binary): face-api's `happy` probability >= 0.5; validated only when its ROC AUC
 *   against CelebA's `Smiling` reached 0.85 (`SMILING_AUC`, measured on CelebA).
 *
 * A claim is one value of one validated trait (for an ordered category, also two adjacent values,
 * "aged 35+", or an open-ended run of three or more, "tan or darker skin tone"); a type's claim
 * holds when
 *  - at least `minShare` (80%) of its members with a measurable value have it, plus a `margin`
 *    (5 points) for the measures' own errors, so 85% by our measures, and
 *  - its share in the type exceeds its share over everyone by at least `minExcess` (10 points):
 *    it distinguishes the type.
 * The label names the claims only: "children", "older men with grey hair and glasses",
 * "young women, darker skin tone". A type without any claim is "mixed: " followed by its two
 * most frequent trait values with their shares ("mixed: 61% women, 55% young adults"). Labels that
 * collide get, in parentheses, the share of the trait value (or run of values) that differs most among them
 * ("young women (62% smiling)"), and "#<type>" if they still collide. Nothing else is said, so
 * every word can be checked on the share table (`typeTraitShares`).
 */
import type { FaceTrait } from '../features/traits';
import { EXPRESSIONS } from '../features/expressions';
import { ATTRIBUTE, ATTRIBUTE_DIM } from '../features/layout';
import { ITA_BOUNDS } from '../features/attributes';
import { ATTRIBUTE_CALIBRATION } from '../features/attribute-calibration';
import { DataError, InvalidParameterError, numberInRange, withDefaults } from '../validate';

/** Age bands of the estimated age (years): lower bounds, names, plural nouns. */
export const AGE_BANDS = [
  { name: 'child', from: 0, noun: 'children', men: 'boys', women: 'girls' },
  { name: 'teen', from: 13, noun: 'teenagers', men: 'teenage boys', women: 'teenage girls' },
  { name: 'young adult', from: 20, noun: 'young adults', men: 'young men', women: 'young women' },
  { name: 'middle-aged', from: 35, noun: 'middle-aged people', men: 'middle-aged men', women: 'middle-aged women' },
  { name: 'older', from: 55, noun: 'older people', men: 'older men', women: 'older women' },
] as const;

export const GENDERS = ['woman', 'man'] as const;

/**
 * ROC AUC of face-api's `happy` probability against CelebA's `Smiling`, measured on the 9,000 faces
 * kept from CelebA's 18,686 photos: 0.970 on the even identities, 0.974 on the odd ones
 * (scripts/types-celeba.ts).
 */
export const SMILING_AUC = 0.97;

export interface LabelOptions {
  /** Share of a type's members a claim must hold for (default 0.8). */
  minShare: number;
  /**
   * Points added to minShare for naming a claim (default 0.05): the measures err (face-api's
   * gender disagrees with CelebA's Male on 1-4% of a type, smiling with Smiling on ~3%), so a claim
   * is named only when its measured share reaches 85%, to hold for 80% by independent labels.
   */
  margin: number;
  /** Points by which a claim's share in the type must exceed its share over everyone (default 0.1). */
  minExcess: number;
  /** Threshold of face-api's happy probability for `smiling` (default 0.5). */
  smileThreshold: number;
}

export const LABEL_DEFAULTS: LabelOptions = { minShare: 0.8, margin: 0.05, minExcess: 0.1, smileThreshold: 0.5 };

/** Age band index of an age in years (NaN for NaN). */
export function ageBandOf(age: number): number {
  if (!Number.isFinite(age)) return NaN;
  let b = 0;
  for (let i = 0; i < AGE_BANDS.length; i++) if (age >= AGE_BANDS[i].from) b = i;
  return b;
}

/**
 * Age band, gender and smiling from face-api's attribute matrix (N x 9: age, male, neutral,
 * happy, ... as the features stage writes it).
 */
export function faceApiTraits(attributes: ArrayLike<number>, options: Partial<LabelOptions> = {}): FaceTrait[] {
  const o = withDefaults('faceApiTraits options', LABEL_DEFAULTS, options);
  numberInRange('smileThreshold', o.smileThreshold, 0, 1);
  const D = ATTRIBUTE_DIM;
  if (attributes.length % D !== 0) throw new DataError(`attributes has ${attributes.length} values, not a multiple of ${D} (age, male, ${EXPRESSIONS.length} expressions per face)`);
  const n = attributes.length / D;
  const happyColumn = ATTRIBUTE.firstExpression + EXPRESSIONS.indexOf('happy');
  const age = new Float32Array(n);
  const band = new Float32Array(n);
  const gender = new Float32Array(n);
  const happy = new Float32Array(n);
  const smiling = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    age[i] = attributes[i * D + ATTRIBUTE.age];
    band[i] = ageBandOf(age[i]);
    const m = attributes[i * D + ATTRIBUTE.male];
    gender[i] = Number.isFinite(m) ? (m > 0.5 ? 1 : 0) : NaN;
    happy[i] = attributes[i * D + happyColumn];
    smiling[i] = Number.isFinite(happy[i]) ? (happy[i] >= o.smileThreshold ? 1 : 0) : NaN;
  }
  return [
    { name: 'ageBand', kind: 'category', values: band, categories: AGE_BANDS.map((b) => b.name), ordered: true, score: age, validated: true },
    { name: 'gender', kind: 'category', values: gender, categories: [...GENDERS], validated: true },
    { name: 'smiling', kind: 'binary', values: smiling, word: 'smiling', score: happy, threshold: o.smileThreshold, auc: SMILING_AUC, validated: SMILING_AUC >= 0.85 },
  ];
}

/** Traits by name, later ones replacing earlier ones of the same name (measured over derived). */
export function mergeTraits(...groups: FaceTrait[][]): FaceTrait[] {
  const byName = new Map<string, FaceTrait>();
  for (const g of groups) for (const t of g) byName.set(t.name, t);
  return [...byName.values()];
}

/** One value (or two adjacent values of an ordered category) of one trait. */
export interface TraitValue {
  trait: string;
  /** binary: [1]; category: the category indices. */
  values: number[];
}

/** A claim of a label with the numbers behind it. */
export interface Claim extends TraitValue {
  /** Share of the type's measurable members having it. */
  share: number;
  /** Share over all measurable faces. */
  overall: number;
  /** Words of the claim. */
  text: string;
}

export interface TypeLabel {
  type: number;
  size: number;
  label: string;
  /** The claims named by the label (empty for a "mixed" label). */
  claims: Claim[];
  /** True when no trait distinguishes the type (label starts with "mixed"). */
  mixed: boolean;
}

function checkTraits(traits: FaceTrait[], n: number): void {
  if (!Array.isArray(traits)) throw new InvalidParameterError('traits', 'an array of FaceTrait', traits);
  for (const t of traits) {
    if (!t || !(t.values instanceof Float32Array)) throw new InvalidParameterError('traits[].values', 'a Float32Array', t?.values);
    if (t.values.length !== n) throw new DataError(`trait ${t.name} has ${t.values.length} values for ${n} faces`);
    if (t.kind === 'category' && !t.categories?.length) throw new DataError(`trait ${t.name} is a category without categories`);
  }
}

/**
 * Every value a label may claim for a trait: each value; for an ordered one also adjacent pairs,
 * and the open-ended runs of three or more values that reach either end ("aged 20+", "tan or
 * darker skin tone"), never all of them.
 */
function candidateValues(t: FaceTrait): number[][] {
  if (t.kind === 'binary') return [[1]];
  const k = t.categories!.length;
  const single = Array.from({ length: k }, (_, c) => [c]);
  if (!t.ordered) return single;
  const run = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const pairs = Array.from({ length: k - 1 }, (_, c) => [c, c + 1]);
  const tails: number[][] = [];
  for (let len = 3; len < k; len++) tails.push(run(0, len - 1), run(k - len, k - 1));
  return [...single, ...pairs, ...tails];
}

/** Share of `rows` (all rows when null) whose trait value is among `values` (NaN rows left out). */
function shareOf(t: FaceTrait, values: number[], rows: ArrayLike<number> | null): number {
  let has = 0, total = 0;
  const count = (i: number) => {
    const v = t.values[i];
    if (Number.isNaN(v)) return;
    total++;
    if (values.includes(v)) has++;
  };
  if (rows) for (let j = 0; j < rows.length; j++) count(rows[j]);
  else for (let i = 0; i < t.values.length; i++) count(i);
  return total ? has / total : NaN;
}

const RANGE = (a: number, b: number): string => {
  const lo = AGE_BANDS[a].from;
  const hi = b + 1 < AGE_BANDS.length ? AGE_BANDS[b + 1].from - 1 : null;
  return hi === null ? `aged ${lo}+` : lo === 0 ? `under ${hi + 1}` : `aged ${lo}-${hi}`;
};

/** Words of a trait value on its own ("young adults", "men", "with glasses", "grey hair"). */
export function valueWords(t: FaceTrait, values: number[]): string {
  if (t.kind === 'binary') return t.word ?? t.name;
  const cats = values.map((v) => t.categories![v]);
  if (t.name === 'ageBand') return values.length === 1 ? AGE_BANDS[values[0]]?.noun ?? cats[0] : `people ${RANGE(values[0], values[values.length - 1])}`;
  if (t.name === 'gender') return values[0] === 1 ? 'men' : 'women';
  const joined = cats.join(' or ');
  if (/hair/i.test(t.name)) return /hair/.test(joined) ? `with ${joined}` : `with ${joined} hair`;
  if (/skin/i.test(t.name)) {
    const k = t.categories!.length;
    if (values.length > 2 && values[values.length - 1] === k - 1) return `${cats[0]} or darker skin tone`;
    if (values.length > 2 && values[0] === 0) return `${cats[cats.length - 1]} or lighter skin tone`;
    return `${joined} skin tone`;
  }
  return joined;
}

/** The noun phrase of age and gender claims ("older men", "women aged 35+", "children", "people"). */
function nounPhrase(age: Claim | undefined, gender: Claim | undefined): string {
  const g = gender ? (gender.values[0] === 1 ? 'men' : 'women') : null;
  if (!age) return g ?? 'people';
  if (age.values.length === 1) {
    const b = AGE_BANDS[age.values[0]];
    return g ? b[g] : b.noun;
  }
  return `${g ?? 'people'} ${RANGE(age.values[0], age.values[age.values.length - 1])}`;
}

/** The label of a set of claims (see module comment). */
export function labelOf(claims: Claim[]): string {
  const age = claims.find((c) => c.trait === 'ageBand');
  const gender = claims.find((c) => c.trait === 'gender');
  const rest = claims.filter((c) => c !== age && c !== gender);
  const withs = rest.filter((c) => c.text.startsWith('with ')).map((c) => c.text.slice(5));
  const others = rest.filter((c) => !c.text.startsWith('with ')).map((c) => c.text);
  let label = nounPhrase(age, gender);
  if (withs.length) label += ` with ${withs.length > 1 ? `${withs.slice(0, -1).join(', ')} and ${withs[withs.length - 1]}` : withs[0]}`;
  if (others.length) label += `, ${others.join(', ')}`;
  return label;
}

const pct = (v: number): string => `${Math.round(100 * v)}%`;

/** The claims that hold for a set of rows (see module comment), strongest first per trait. */
export function claimsFor(rows: ArrayLike<number>, traits: FaceTrait[], options: Partial<LabelOptions> = {}): Claim[] {
  const o = withDefaults('label options', LABEL_DEFAULTS, options);
  numberInRange('minShare', o.minShare, 0.5, 1);
  numberInRange('margin', o.margin, 0, 0.5);
  numberInRange('minExcess', o.minExcess, 0, 1);
  const need = Math.min(1, o.minShare + o.margin);
  const claims: Claim[] = [];
  for (const t of traits) {
    if (!t.validated) continue;
    let best: Claim | null = null;
    for (const values of candidateValues(t)) {
      const share = shareOf(t, values, rows);
      const overall = shareOf(t, values, null);
      if (!(share >= need && share - overall >= o.minExcess)) continue;
      // a single value beats a pair; among equals, the higher share
      if (!best || values.length < best.values.length || (values.length === best.values.length && share > best.share)) {
        best = { trait: t.name, values, share, overall, text: valueWords(t, values) };
      }
    }
    if (best) claims.push(best);
  }
  return claims;
}

/** Rows of each type id (labels >= 0), ascending ids. */
export function membersByType(labels: ArrayLike<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) m.set(labels[i], [...(m.get(labels[i]) ?? []), i]);
  return new Map([...m.entries()].sort((a, b) => a[0] - b[0]));
}

/** The two most frequent trait values of a set of rows, for a "mixed" label. */
function mostFrequent(rows: number[], traits: FaceTrait[]): string {
  const cands: { text: string; share: number }[] = [];
  for (const t of traits) {
    if (!t.validated) continue;
    for (const values of candidateValues(t)) {
      if (values.length > 1) continue;
      const share = shareOf(t, values, rows);
      if (Number.isFinite(share)) cands.push({ text: valueWords(t, values).replace(/^with /, ''), share });
    }
  }
  cands.sort((a, b) => b.share - a.share);
  return cands.slice(0, 2).map((c) => `${pct(c.share)} ${c.text}`).join(', ');
}

/** True labels of every type (see module comment). */
export function labelTypes(labels: ArrayLike<number>, traits: FaceTrait[], options: Partial<LabelOptions> = {}): TypeLabel[] {
  checkTraits(traits, labels.length);
  const out: TypeLabel[] = [];
  for (const [type, rows] of membersByType(labels)) {
    const claims = claimsFor(rows, traits, options);
    const mixed = claims.length === 0;
    out.push({ type, size: rows.length, claims, mixed, label: mixed ? `mixed: ${mostFrequent(rows, traits)}` : labelOf(claims) });
  }
  disambiguate(out, labels, traits);
  return out;
}

/** Makes colliding labels differ by the share that differs most among them (see module comment). */
function disambiguate(types: TypeLabel[], labels: ArrayLike<number>, traits: FaceTrait[]): void {
  const members = membersByType(labels);
  const groups = new Map<string, TypeLabel[]>();
  for (const t of types) groups.set(t.label, [...(groups.get(t.label) ?? []), t]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    let best: { t: FaceTrait; values: number[]; spread: number } | null = null;
    for (const t of traits) {
      if (!t.validated) continue;
      for (const values of candidateValues(t)) {
        const shares = group.map((g) => shareOf(t, values, members.get(g.type)!));
        const spread = Math.max(...shares) - Math.min(...shares);
        if (Number.isFinite(spread) && (!best || spread > best.spread)) best = { t, values, spread };
      }
    }
    if (best) {
      const words = valueWords(best.t, best.values).replace(/^with /, '');
      for (const g of group) g.label = `${g.label} (${pct(shareOf(best.t, best.values, members.get(g.type)!))} ${words})`;
    }
    const seen = new Map<string, number>();
    for (const g of group) seen.set(g.label, (seen.get(g.label) ?? 0) + 1);
    for (const g of group) if (seen.get(g.label)! > 1) g.label = `${g.label} #${g.type}`;
  }
}

/** The largest gap between two row sets' shares of one validated trait value, with its words. */
export function largestTraitGap(parts: number[][], traits: FaceTrait[]): { words: string; gap: number } {
  let best = { words: '', gap: 0 };
  for (const t of traits) {
    if (!t.validated) continue;
    for (const values of candidateValues(t)) {
      if (values.length > 1) continue;
      const shares = parts.map((rows) => shareOf(t, values, rows)).filter(Number.isFinite);
      const gap = shares.length > 1 ? Math.max(...shares) - Math.min(...shares) : 0;
      if (gap > best.gap) best = { words: valueWords(t, values).replace(/^with /, ''), gap };
    }
  }
  return best;
}

/** One column of the share table: a trait value. */
export interface ShareColumn extends TraitValue {
  /** Column title ("men", "young adults", "glasses"). */
  name: string;
  validated: boolean;
}

/** The share columns of a set of traits: every category, and the "has it" of a binary trait. */
export function shareColumns(traits: FaceTrait[]): ShareColumn[] {
  return traits.flatMap((t) => candidateValues(t).filter((v) => v.length === 1)
    .map((values) => ({ trait: t.name, values, name: valueWords(t, values).replace(/^with /, ''), validated: t.validated })));
}

export interface TraitShares {
  columns: ShareColumn[];
  /** Type ids (rows), ascending. */
  types: number[];
  /** share[r][c] in 0..1 (NaN when no member is measurable). */
  share: number[][];
  /** Shares over everyone. */
  overall: number[];
}

/** Types x trait values: the share of each type's members having each value. */
export function typeTraitShares(labels: ArrayLike<number>, traits: FaceTrait[]): TraitShares {
  checkTraits(traits, labels.length);
  const columns = shareColumns(traits);
  const byName = new Map(traits.map((t) => [t.name, t]));
  const members = membersByType(labels);
  const types = [...members.keys()];
  return {
    columns,
    types,
    share: types.map((c) => columns.map((col) => shareOf(byName.get(col.trait)!, col.values, members.get(c)!))),
    overall: columns.map((col) => shareOf(byName.get(col.trait)!, col.values, null)),
  };
}

/** Display-ready rows of the share table: one per type and "all", shares as % with one decimal. */
export function shareTableRows(shares: TraitShares, names: Map<number, string> | string[], sizes?: Map<number, number>): Record<string, string | number>[] {
  const nameOf = (c: number) => (Array.isArray(names) ? names[c] : names.get(c)) ?? `type ${c}`;
  const cell = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '-');
  const row = (type: string, label: string, size: number | undefined, s: number[]) => ({
    type, label, ...(sizes ? { size: size ?? '' } : {}), ...Object.fromEntries(shares.columns.map((c, j) => [c.name, cell(s[j])])),
  });
  const total = sizes ? [...sizes.values()].reduce((a, b) => a + b, 0) : undefined;
  return [...shares.types.map((c, r) => row(String(c), nameOf(c), sizes?.get(c), shares.share[r])), row('all', 'everyone', total, shares.overall)];
}

/** A label's claim checked against external labels (CelebA's attributes). */
export interface ClaimCheck {
  type: number;
  label: string;
  claim: string;
  /** The external attribute and the value the claim means (1: has it, 0: has it not). */
  attribute: string;
  expected: 0 | 1;
  /** Share of the type's members whose external label agrees. */
  share: number;
  holds: boolean;
}

/** CelebA's label for each measured binary trait (beard: "not No_Beard"). */
const CELEBA_BINARY: Record<string, { attribute: string; expected: 0 | 1 }> = {
  smiling: { attribute: 'Smiling', expected: 1 },
  glasses: { attribute: 'Eyeglasses', expected: 1 },
  beard: { attribute: 'No_Beard', expected: 0 },
  moustache: { attribute: 'Mustache', expected: 1 },
  goatee: { attribute: 'Goatee', expected: 1 },
  blackHair: { attribute: 'Black_Hair', expected: 1 },
  brownHair: { attribute: 'Brown_Hair', expected: 1 },
  blondHair: { attribute: 'Blond_Hair', expected: 1 },
  greyHair: { attribute: 'Gray_Hair', expected: 1 },
  bald: { attribute: 'Bald', expected: 1 },
  hat: { attribute: 'Wearing_Hat', expected: 1 },
};

/**
 * The CelebA attribute a claim means, when CelebA has one: gender -> Male, age bands below 35
 * (children, teenagers, young adults) -> Young, older (55+) -> not Young (CelebA has no label for
 * middle age: a claim that includes 35-54 is not checked), smiling -> Smiling, glasses ->
 * Eyeglasses, beard -> not No_Beard, moustache -> Mustache, goatee -> Goatee, black/brown/blond/grey
 * hair -> Black_Hair/Brown_Hair/Blond_Hair/Gray_Hair, bald -> Bald, hat -> Wearing_Hat. A skin-tone
 * claim means CelebA's Pale_Skin when every face it covers has an ITA above the Pale_Skin
 * threshold measured on CelebA (69.5 degrees, attribute-calibration.ts; the standard categories
 * start lower, very light at 55, so none does), and "not Pale_Skin" when every face it covers has
 * an ITA at or below it (every category but very light: "tan or darker skin tone" is checked as
 * not Pale_Skin, a weak but true check). Null otherwise.
 */
export function celebaAttributeOf(claim: TraitValue, traits: FaceTrait[]): { attribute: string; expected: 0 | 1 } | null {
  const t = traits.find((x) => x.name === claim.trait);
  if (!t) return null;
  if (t.name === 'gender') return { attribute: 'Male', expected: claim.values[0] === 1 ? 1 : 0 };
  if (t.name === 'ageBand') {
    if (claim.values.every((v) => AGE_BANDS[v].from < 35)) return { attribute: 'Young', expected: 1 };
    if (claim.values.every((v) => AGE_BANDS[v].from >= 55)) return { attribute: 'Young', expected: 0 };
    return null;
  }
  if (t.name === 'skinTone') {
    // category c covers ITA_BOUNDS[c] < ITA <= ITA_BOUNDS[c - 1]
    const darkest = Math.max(...claim.values);
    const lightest = Math.min(...claim.values);
    const from = darkest < ITA_BOUNDS.length ? ITA_BOUNDS[darkest] : -Infinity;
    const to = lightest > 0 ? ITA_BOUNDS[lightest - 1] : Infinity;
    if (from >= ATTRIBUTE_CALIBRATION.paleItaThreshold) return { attribute: 'Pale_Skin', expected: 1 };
    if (to <= ATTRIBUTE_CALIBRATION.paleItaThreshold) return { attribute: 'Pale_Skin', expected: 0 };
    return null;
  }
  if (t.kind === 'binary') return CELEBA_BINARY[t.name] ?? null;
  if (t.name === 'hairColour' && claim.values.length === 1) {
    const c = t.categories![claim.values[0]].toLowerCase();
    const map: [RegExp, string][] = [[/gr[ae]y|white/, 'Gray_Hair'], [/blond/, 'Blond_Hair'], [/black/, 'Black_Hair'], [/brown/, 'Brown_Hair'], [/none|bald/, 'Bald']];
    const hit = map.find(([re]) => re.test(c));
    return hit ? { attribute: hit[1], expected: 1 } : null;
  }
  return null;
}

/** Checks every claim of every label that an external attribute covers (see celebaAttributeOf). */
export function checkClaims(types: TypeLabel[], labels: ArrayLike<number>, traits: FaceTrait[], table: Record<string, ArrayLike<number>>, minShare = LABEL_DEFAULTS.minShare): ClaimCheck[] {
  const members = membersByType(labels);
  const out: ClaimCheck[] = [];
  for (const t of types) {
    for (const c of t.claims) {
      const m = celebaAttributeOf(c, traits);
      if (!m || !table[m.attribute]) continue;
      const col = table[m.attribute];
      const rows = members.get(t.type) ?? [];
      const agree = rows.filter((i) => (col[i] > 0 ? 1 : 0) === m.expected).length;
      const share = rows.length ? agree / rows.length : NaN;
      out.push({ type: t.type, label: t.label, claim: c.text, attribute: m.attribute, expected: m.expected, share, holds: share >= minShare });
    }
  }
  return out;
}

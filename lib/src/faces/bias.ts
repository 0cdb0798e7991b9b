/**
 * Selection bias, shown: how the kept faces differ from all candidates on the traits we can
 * estimate (the source's metadata: WIKI gender and age at photo; CelebA-style attributes). Every
 * filter and the ranking may favour some groups (frontal, sharp, well-lit photos are more often
 * of some people than others); this table says by how much, with a warning past a shift.
 */
import type { PhotoMeta } from '../sources/types';
import { numberInRange, withDefaults } from '../validate';

/** One candidate: whether it was kept, and its traits (group names; null = unknown). */
export interface TraitSample {
  kept: boolean;
  traits: Record<string, string | null>;
  /**
   * How many candidates this one stands for (default 1): a face of a random sample of n out of N
   * stands for N / n of them, so the shares among all candidates stay those of the whole.
   */
  weight?: number;
}

export interface BiasOptions {
  /** A group whose share among the kept faces differs from its share among all candidates by more than this many points gets a warning. */
  maxShift: number;
}

export const BIAS_DEFAULTS: BiasOptions = { maxShift: 5 };

/** One row of the table: a group of a trait, its share among all candidates and among the kept faces. */
export interface BiasRow {
  trait: string;
  group: string;
  /** Candidates with this trait known, and those in the group (weighted: what the samples stand for, rounded). */
  candidates: number;
  inGroup: number;
  /** Shares in percent (one decimal). */
  allPct: number;
  keptPct: number;
  /** keptPct - allPct, percentage points. */
  shift: number;
  /** True when |shift| > maxShift. */
  flagged: boolean;
}

export interface BiasTable {
  rows: BiasRow[];
  /** One sentence per flagged group, e.g. 'Blurry: yes is 5.6% of candidates but 0.4% of kept faces (-5.2 points)'. */
  warnings: string[];
  candidates: number;
  kept: number;
  /** The shift past which a group is flagged (percentage points). */
  maxShift?: number;
  /** How the traits were obtained and sampled, e.g. 'estimated by face-api; rejected: sample of 1000 of 9686'. */
  note?: string;
}

const pct = (a: number, b: number): number => (b > 0 ? Math.round((1000 * a) / b) / 10 : NaN);

/** The share of every group of every trait among all candidates and among the kept ones. */
export function selectionBias(samples: TraitSample[], options: Partial<BiasOptions> = {}): BiasTable {
  const o = withDefaults('selectionBias options', BIAS_DEFAULTS, options);
  numberInRange('maxShift', o.maxShift, 0, 100);
  const traits = [...new Set(samples.flatMap((s) => Object.keys(s.traits)))];
  const rows: BiasRow[] = [];
  const warnings: string[] = [];
  const w = (s: TraitSample): number => s.weight ?? 1;
  for (const s of samples) if (!(Number.isFinite(w(s)) && w(s) > 0)) throw new Error(`selectionBias: a sample's weight must be > 0 (got ${s.weight})`);
  const sum = (list: TraitSample[]): number => list.reduce((a, s) => a + w(s), 0);
  for (const trait of traits) {
    const known = samples.filter((s) => s.traits[trait] != null);
    const kept = known.filter((s) => s.kept);
    const groups = [...new Set(known.map((s) => s.traits[trait] as string))].sort();
    const allW = sum(known);
    const keptW = sum(kept);
    for (const group of groups) {
      const inAll = sum(known.filter((s) => s.traits[trait] === group));
      const inKept = sum(kept.filter((s) => s.traits[trait] === group));
      const allPct = pct(inAll, allW);
      const keptPct = pct(inKept, keptW);
      const shift = Math.round((keptPct - allPct) * 10) / 10;
      const flagged = Math.abs(shift) > o.maxShift;
      rows.push({ trait, group, candidates: Math.round(allW), inGroup: Math.round(inAll), allPct, keptPct, shift, flagged });
      if (flagged) warnings.push(`${trait}: ${group} is ${allPct}% of candidates but ${keptPct}% of kept faces (${shift > 0 ? '+' : ''}${shift} points)`);
    }
  }
  return { rows, warnings, candidates: Math.round(sum(samples)), kept: Math.round(sum(samples.filter((s) => s.kept))), maxShift: o.maxShift };
}

/** Age groups of the metadata's age at photo. */
export const AGE_GROUPS: [number, string][] = [[30, 'under 30'], [45, '30-44'], [60, '45-59'], [Infinity, '60 and over']];

/** Traits from a source's metadata (WIKI: gender and age at photo); unknowns are null. */
export function traitsFromMeta(meta: PhotoMeta | undefined | null): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!meta) return out;
  if (meta.gender !== undefined) out.gender = meta.gender ?? null;
  if (meta.age !== undefined) out['age at photo'] = meta.age == null ? null : AGE_GROUPS.find(([max]) => (meta.age as number) < max)![1];
  return out;
}

/** Traits from binary attributes (CelebA: 1 or -1/0): 'yes' or 'no' per attribute. */
export function traitsFromAttributes(labels: Record<string, number> | undefined, attributes: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const a of attributes) out[a] = labels && Number.isFinite(labels[a]) ? (labels[a] > 0 ? 'yes' : 'no') : null;
  return out;
}

/** Age bands of an estimated age (face-api's age net). */
export const AGE_BANDS: [number, string][] = [[13, 'child (<13)'], [20, 'teen (13-19)'], [35, 'young adult (20-34)'], [55, 'middle-aged (35-54)'], [Infinity, 'older (55+)']];

/** Traits from face-api's estimates: gender (P(male) >= 0.5) and age band; NaN gives null. */
export function traitsFromEstimates(age: number, male: number): Record<string, string | null> {
  return {
    'estimated gender': Number.isFinite(male) ? (male >= 0.5 ? 'male' : 'female') : null,
    'estimated age': Number.isFinite(age) ? AGE_BANDS.find(([max]) => age < max)![1] : null,
  };
}

/**
 * A seeded random sample of at most n of the items (Fisher-Yates on a copy), in their original
 * order, with the weight each sampled item carries: items.length / sample size.
 */
export function sampleWithWeight<T>(items: T[], n: number, random: () => number): { sample: T[]; weight: number } {
  if (items.length <= n) return { sample: [...items], weight: 1 };
  const idx = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return { sample: idx.slice(0, n).sort((a, b) => a - b).map((i) => items[i]), weight: items.length / n };
}

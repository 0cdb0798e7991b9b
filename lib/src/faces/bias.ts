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
  /** Candidates with this trait known, and those in the group. */
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
}

const pct = (a: number, b: number): number => (b > 0 ? Math.round((1000 * a) / b) / 10 : NaN);

/** The share of every group of every trait among all candidates and among the kept ones. */
export function selectionBias(samples: TraitSample[], options: Partial<BiasOptions> = {}): BiasTable {
  const o = withDefaults('selectionBias options', BIAS_DEFAULTS, options);
  numberInRange('maxShift', o.maxShift, 0, 100);
  const traits = [...new Set(samples.flatMap((s) => Object.keys(s.traits)))];
  const rows: BiasRow[] = [];
  const warnings: string[] = [];
  for (const trait of traits) {
    const known = samples.filter((s) => s.traits[trait] != null);
    const kept = known.filter((s) => s.kept);
    const groups = [...new Set(known.map((s) => s.traits[trait] as string))].sort();
    for (const group of groups) {
      const inAll = known.filter((s) => s.traits[trait] === group).length;
      const inKept = kept.filter((s) => s.traits[trait] === group).length;
      const allPct = pct(inAll, known.length);
      const keptPct = pct(inKept, kept.length);
      const shift = Math.round((keptPct - allPct) * 10) / 10;
      const flagged = Math.abs(shift) > o.maxShift;
      rows.push({ trait, group, candidates: known.length, inGroup: inAll, allPct, keptPct, shift, flagged });
      if (flagged) warnings.push(`${trait}: ${group} is ${allPct}% of candidates but ${keptPct}% of kept faces (${shift > 0 ? '+' : ''}${shift} points)`);
    }
  }
  return { rows, warnings, candidates: samples.length, kept: samples.filter((s) => s.kept).length };
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

/** The faces averageFaces() leaves out, counted by reason: in total and per group. */
import { emptySkipCounts, type SkipCounts, type SkipReason } from './types';

/** Skip counts of one averageFaces() call, filled by both passes. */
export class SkipTally {
  /** Every face left out, by reason. */
  readonly total: SkipCounts = emptySkipCounts();
  private readonly groups = new Map<number, SkipCounts>();

  /** Counts one face; `group` -1: a face without a (valid) group, counted in the total only. */
  add(reason: SkipReason, group: number): void {
    this.total[reason]++;
    if (group >= 0) {
      let s = this.groups.get(group);
      if (!s) this.groups.set(group, (s = emptySkipCounts()));
      s[reason]++;
    }
  }

  /** The faces of one group left out, by reason (all zero when none). */
  ofGroup(group: number): SkipCounts {
    return this.groups.get(group) ?? emptySkipCounts();
  }
}

/** "3 non-finite, 1 eyes-swapped" (only the reasons that occurred), or "none". */
export function formatSkips(counts: SkipCounts): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`);
  return parts.length ? parts.join(', ') : 'none';
}

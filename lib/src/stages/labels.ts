/**
 * Judging the preparation against external labels: where the source has CelebA-style binary
 * attributes (attributes.csv: file, identity, then 0/1 columns), the share of each attribute among
 * all photos, the kept faces and the rejected ones (e.g. how many kept faces CelebA marks Blurry).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../io/csv';
import { DataError } from '../validate';
import type { PrepareResult } from './prepare';

/** Attribute table keyed by file name. */
export function readAttributes(file: string): { columns: string[]; byFile: Map<string, Record<string, number>> } {
  const { columns, rows } = parseCsv(fs.readFileSync(file, 'utf8'));
  if (!columns.includes('file')) throw new DataError(`${file} has no 'file' column (columns: ${columns.slice(0, 6).join(', ')}...)`);
  const attrs = columns.filter((c) => c !== 'file' && c !== 'identity');
  const byFile = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const rec: Record<string, number> = {};
    for (const a of attrs) rec[a] = Number(r[a]);
    byFile.set(r.file, rec);
  }
  return { columns: attrs, byFile };
}

export interface AttributeShare {
  attribute: string;
  /** Share among all photos of the source that have labels. */
  all: number;
  kept: number;
  rejected: number;
  /** Photos with labels in each group. */
  nAll: number;
  nKept: number;
  nRejected: number;
}

/** Share of each attribute among all photos, kept faces and rejected candidates. */
export function attributeShares(result: PrepareResult, attributesFile: string, attributes: string[]): AttributeShare[] {
  const table = readAttributes(attributesFile);
  for (const a of attributes) if (!table.columns.includes(a)) throw new DataError(`attribute '${a}' is not in ${attributesFile}`);
  const label = (id: string) => table.byFile.get(path.basename(id));
  const keptIds = new Set(result.kept.map((v) => v.item.id));
  const all: Record<string, number>[] = [];
  const kept: Record<string, number>[] = [];
  const rejected: Record<string, number>[] = [];
  const seen = new Set<string>();
  for (const v of result.verdicts) {
    const l = label(v.item.id);
    if (!l || seen.has(v.item.id)) continue;
    seen.add(v.item.id);
    all.push(l);
    (keptIds.has(v.item.id) ? kept : rejected).push(l);
  }
  const share = (rows: Record<string, number>[], a: string) => (rows.length ? rows.reduce((s, r) => s + (r[a] > 0 ? 1 : 0), 0) / rows.length : NaN);
  return attributes.map((a) => ({
    attribute: a,
    all: share(all, a),
    kept: share(kept, a),
    rejected: share(rejected, a),
    nAll: all.length,
    nKept: kept.length,
    nRejected: rejected.length,
  }));
}

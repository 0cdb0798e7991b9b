/**
 * Judging the preparation against external labels: where the source has CelebA-style binary
 * attributes (attributes.csv: file, identity, then 0/1 columns), the share of each attribute among
 * all photos, the kept faces and the rejected ones (e.g. how many kept faces CelebA marks Blurry).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../io/csv';
import { DataError, InvalidParameterError } from '../validate';
import type { PreparedFaces, PrepareResult } from './prepare';


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

/**
 * External labels to score the clusters against, per face in rank order: CelebA-style binary
 * attributes from an attributes.csv (matched on the photo's file name), or, without one, the
 * source's own metadata (WIKI: gender as Male, age < 30 as Young). Null when there is nothing.
 */
export function externalLabels(prepared: PreparedFaces, attributesFile: string | null, attributes = ['Male', 'Young', 'Eyeglasses', 'Smiling', 'Wearing_Hat', 'Heavy_Makeup', 'No_Beard', 'Blond_Hair', 'Black_Hair', 'Gray_Hair', 'Bald']): { source: string; table: Record<string, Float64Array> } | null {
  const faces = prepared.file.faces;
  if (attributesFile) {
    const t = readAttributes(attributesFile);
    const use = attributes.filter((a) => t.columns.includes(a));
    if (use.length === 0) throw new InvalidParameterError('attributes', `columns among ${attributes.join(', ')}`, attributesFile);
    const table: Record<string, Float64Array> = {};
    let matched = 0;
    for (const a of use) table[a] = new Float64Array(faces.length);
    faces.forEach((f, i) => {
      const rec = t.byFile.get(path.basename(f.photo));
      if (rec) matched++;
      for (const a of use) table[a][i] = rec && rec[a] > 0 ? 1 : 0;
    });
    if (matched < faces.length * 0.5) return null;
    return { source: path.basename(attributesFile), table };
  }
  const withGender = faces.filter((f) => f.meta?.gender).length;
  const withAge = faces.filter((f) => typeof f.meta?.age === 'number').length;
  if (withGender < faces.length * 0.5 && withAge < faces.length * 0.5) return null;
  const table: Record<string, Float64Array> = {};
  if (withGender) table.Male = Float64Array.from(faces, (f) => (f.meta?.gender === 'male' ? 1 : 0));
  if (withAge) table.Young = Float64Array.from(faces, (f) => (typeof f.meta?.age === 'number' && f.meta.age < 30 ? 1 : 0));
  return { source: 'source metadata (gender, age < 30)', table };
}

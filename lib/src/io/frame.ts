/**
 * DataFrames (danfojs) for the tables notebooks show: the manifest, cluster tables.
 * danfojs publishes its types only through package "exports", which tslab's TypeScript 5.0
 * (node10 resolution) cannot see: this module loads it lazily and types what we use.
 */
import * as fs from 'node:fs';
import { parseCsv } from './csv';

/** The part of danfojs' DataFrame the project uses. */
export interface DataFrame {
  readonly columns: string[];
  readonly values: unknown[][];
  readonly shape: number[];
  head(rows?: number): DataFrame;
  tail(rows?: number): DataFrame;
  loc(args: { rows?: number[] | string[] | unknown; columns?: string[] }): DataFrame;
  sortValues(column: string, options?: { ascending?: boolean }): DataFrame;
  describe(): DataFrame;
  column(name: string): { values: unknown[]; mean(): number; unique(): { values: unknown[] } };
  print(): void;
}

interface Danfo {
  DataFrame: new (data: Record<string, unknown>[] | unknown[][], options?: { columns?: string[] }) => DataFrame;
}

let danfo: Danfo | null = null;

function load(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!danfo) danfo = require('danfojs') as Danfo;
  return danfo;
}

/**
 * A frame without rows: danfojs cannot sort or describe one (it fails on the missing column
 * data), so every operation returns the empty frame itself; notebooks show its header.
 */
function emptyFrame(columns: string[]): DataFrame {
  const frame: DataFrame = {
    columns,
    values: [],
    shape: [0, columns.length],
    head: () => frame,
    tail: () => frame,
    loc: () => frame,
    sortValues: () => frame,
    describe: () => frame,
    column: () => ({ values: [], mean: () => NaN, unique: () => ({ values: [] }) }),
    print: () => console.log(`(no rows; columns ${columns.join(', ')})`),
  };
  return frame;
}

/** A DataFrame of plain row objects (columns in the order of the first row's keys, or `columns`). */
export function dataFrame(rows: Record<string, unknown>[], columns?: string[]): DataFrame {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  if (rows.length === 0) return emptyFrame(cols);
  const D = load();
  return new D.DataFrame(rows.map((r) => cols.map((c) => (r[c] === undefined ? null : r[c]))), { columns: cols });
}

/** Numbers where a field reads as a number, booleans for true/false, null for empty. */
function typed(v: string): string | number | boolean | null {
  if (v === '') return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  const n = Number(v);
  return Number.isFinite(n) && /^[-+]?(\d|\.\d)/.test(v) ? n : v;
}

/** Reads a CSV file into a DataFrame with typed columns. */
export function readCsvFrame(file: string, columns?: string[]): DataFrame {
  const parsed = parseCsv(fs.readFileSync(file, 'utf8'));
  const cols = columns ?? parsed.columns;
  return dataFrame(parsed.rows.map((r) => Object.fromEntries(cols.map((c) => [c, typed(r[c] ?? '')]))), cols);
}

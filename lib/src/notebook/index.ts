/**
 * The notebook's display adapter: turns what the library returns (figure bundles, PNG buffers,
 * tables, DataFrames, markdown) into Jupyter display data for the tslab kernel. This is the only
 * module that talks to tslab; outside a notebook it prints a plain-text rendering instead.
 */
import type { MimeBundle } from '../plots/figure';
import { escapeHtml } from '../io/text';

interface TslabJupyter {
  lastWriteDisplayData: ((data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void) | null;
}

function tslabSink(): TslabJupyter['lastWriteDisplayData'] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const j = require('tslab/dist/jupyter') as TslabJupyter;
    return j.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** Sends a display bundle to the notebook (or prints its text/plain part). */
export function display(bundle: MimeBundle): void {
  const sink = tslabSink();
  if (sink) sink({ data: bundle, metadata: {}, transient: {} }, false);
  else console.log(String(bundle['text/plain'] ?? ''));
}

function cell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(digits) : String(v);
  if (Array.isArray(v)) return v.map((x) => cell(x, digits)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface TableOptions {
  /** Rows shown (the rest are counted). */
  maxRows?: number;
  /** Decimals of non-integer numbers. */
  digits?: number;
  /** Column order (default: keys of the first row). */
  columns?: string[];
  caption?: string;
}

/** Display bundle of a table of plain objects: an HTML table and an aligned text table. */
export function tableBundle(rows: Record<string, unknown>[], options: TableOptions = {}): MimeBundle {
  const maxRows = options.maxRows ?? 30;
  const digits = options.digits ?? 3;
  const columns = options.columns ?? Object.keys(rows[0] ?? {});
  const shown = rows.slice(0, maxRows);
  const more = rows.length - shown.length;
  const cells = shown.map((r) => columns.map((c) => cell(r[c], digits)));
  let html = '<table class="facetype-table" style="border-collapse:collapse;font-size:12px">';
  if (options.caption) html += `<caption style="text-align:left;font-weight:bold">${escapeHtml(options.caption)}</caption>`;
  html += '<thead><tr>' + columns.map((c) => `<th style="text-align:left;border-bottom:1px solid #999;padding:2px 8px">${escapeHtml(c)}</th>`).join('') + '</tr></thead><tbody>';
  for (const r of cells) html += '<tr>' + r.map((v) => `<td style="padding:2px 8px;border-bottom:1px solid #eee">${escapeHtml(v)}</td>`).join('') + '</tr>';
  html += '</tbody></table>';
  if (more > 0) html += `<p style="font-size:11px;color:#666">… ${more} more rows</p>`;
  const widths = columns.map((c, j) => Math.min(40, Math.max(c.length, ...cells.map((r) => r[j].length))));
  const line = (vals: string[]) => vals.map((v, j) => (v.length > widths[j] ? v.slice(0, widths[j] - 1) + '…' : v.padEnd(widths[j]))).join('  ');
  const text = [options.caption ?? '', line(columns), ...cells.map(line), more > 0 ? `… ${more} more rows` : ''].filter(Boolean).join('\n');
  return { 'text/html': html, 'text/plain': text };
}

/** Anything with DataFrame-like `columns` and `values` (danfojs). */
interface FrameLike {
  columns: string[];
  values: unknown[][];
}

function isFrame(v: unknown): v is FrameLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as FrameLike).columns) && Array.isArray((v as FrameLike).values);
}

function pngSize(buf: Uint8Array): string {
  if (buf.length > 24 && buf[0] === 0x89 && buf[1] === 0x50) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    return `${dv.getUint32(16)}x${dv.getUint32(20)}`;
  }
  return `${buf.length} bytes`;
}

/**
 * Shows a value in the notebook:
 * - `{ bundle }` (what chart builders return) or a raw mime bundle: as is;
 * - a PNG/JPEG Buffer: as an image;
 * - a danfojs DataFrame or an array of plain objects: as a table;
 * - a string: as markdown.
 */
export function show(value: unknown, options: TableOptions = {}): void {
  if (value instanceof Uint8Array) {
    const isJpeg = value[0] === 0xff && value[1] === 0xd8;
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    display({ [isJpeg ? 'image/jpeg' : 'image/png']: b64, 'text/plain': `[image ${pngSize(value)}]` });
    return;
  }
  if (typeof value === 'string') {
    display({ 'text/markdown': value, 'text/plain': value });
    return;
  }
  if (isFrame(value)) {
    const rows = value.values.map((r) => Object.fromEntries(value.columns.map((c, j) => [c, r[j]])));
    display(tableBundle(rows, { columns: value.columns, ...options }));
    return;
  }
  if (Array.isArray(value)) {
    display(tableBundle(value as Record<string, unknown>[], options));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as { bundle?: MimeBundle };
    if (o.bundle && typeof o.bundle === 'object') {
      display(o.bundle);
      return;
    }
    if (Object.keys(value).some((k) => k.includes('/'))) {
      display(value as MimeBundle);
      return;
    }
    display(tableBundle([value as Record<string, unknown>], options));
    return;
  }
  display({ 'text/plain': String(value) });
}

/** Shows an image file (PNG or JPEG) by its path. */
export function showImage(file: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  show(fs.readFileSync(file));
}

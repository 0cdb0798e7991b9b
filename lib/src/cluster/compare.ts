/**
 * Side-by-side comparison of clusterings of the same data (K-Means, DBSCAN, Ward, GMM...): number
 * of clusters, noise share, silhouette, Davies-Bouldin, Calinski-Harabasz and sizes, as a table
 * of plain rows plus a fixed-width text rendering. Noise points (-1) are left out of the metrics
 * (see metrics.ts); a clustering with fewer than 2 clusters gets NaN metrics and a note.
 */
import { InvalidParameterError, oneOf, withDefaults } from '../validate';
import { type MatrixInput, toLabels, toMatrix } from './matrix';
import { type Metric, calinskiHarabasz, daviesBouldin, denseLabels, nanMean, silhouetteSamplesMany } from './metrics';

/** One clustering to compare: its name, its parameters and its labels (-1 = noise). */
export interface MethodRun {
  method: string;
  params?: Record<string, unknown> | string;
  labels: ArrayLike<number>;
}

export interface ComparisonRow {
  method: string;
  params: string;
  nClusters: number;
  /** Share of points labelled -1 (noise). */
  noiseShare: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Cluster sizes, largest first. */
  sizes: number[];
  note: string;
}

export interface Comparison {
  rows: ComparisonRow[];
  metric: Metric;
  /** The table as fixed-width text (for the text/plain output). */
  text: string;
}

export interface CompareOptions {
  /** Silhouette metric (default 'cosine', as analyzeK). */
  metric?: Metric;
}

function paramText(p: MethodRun['params']): string {
  if (p === undefined) return '';
  if (typeof p === 'string') return p;
  return Object.entries(p)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : String(v)}`)
    .join(', ');
}

/** Pads a table of strings into aligned columns ('l' left, 'r' right; default: first column left, others right). */
export function textTable(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number): boolean => (align ? align[i] === 'l' : i === 0);
  const line = (r: string[]): string => r.map((c, i) => (left(i) ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/** Compares clusterings of X (see module comment). */
export function compareMethods(X: MatrixInput, results: MethodRun[], options?: CompareOptions): Comparison {
  const m = toMatrix(X);
  const o = withDefaults('compareMethods options', { metric: 'cosine' } as Required<CompareOptions>, options);
  const metric = oneOf('metric', o.metric, ['euclidean', 'cosine'] as const);
  if (!Array.isArray(results) || results.length === 0) throw new InvalidParameterError('results', 'a non-empty array of { method, params, labels }', results);
  const prepared = results.map((r, i) => {
    if (!r || typeof r.method !== 'string') throw new InvalidParameterError(`results[${i}].method`, 'a method name', r?.method);
    const labels = toLabels(r.labels, m.rows, `results[${i}].labels`);
    const { sizes } = denseLabels(labels);
    let noise = 0;
    for (let t = 0; t < labels.length; t++) if (labels[t] < 0) noise++;
    const kept = m.rows - noise;
    return { r, labels, sizes, noise, ok: sizes.length >= 2 && sizes.length <= kept - 1 };
  });
  const valid = prepared.filter((p) => p.ok);
  const sil = valid.length ? silhouetteSamplesMany(m, valid.map((p) => p.labels), { metric }) : [];
  const rows: ComparisonRow[] = prepared.map((p) => {
    const vi = valid.indexOf(p);
    const ok = vi >= 0;
    return {
      method: p.r.method,
      params: paramText(p.r.params),
      nClusters: p.sizes.length,
      noiseShare: p.noise / m.rows,
      silhouette: ok ? nanMean(sil[vi]) : NaN,
      daviesBouldin: ok ? daviesBouldin(m, p.labels) : NaN,
      calinskiHarabasz: ok ? calinskiHarabasz(m, p.labels) : NaN,
      sizes: [...p.sizes].sort((a, b) => b - a),
      note: ok ? '' : `${p.sizes.length} cluster${p.sizes.length === 1 ? '' : 's'}: metrics need 2 or more`,
    };
  });
  const fmt = (v: number, dgt: number): string => (Number.isFinite(v) ? v.toFixed(dgt) : '-');
  const text = textTable(
    ['method', 'params', 'clusters', 'noise', `silhouette (${metric})`, 'Davies-Bouldin', 'Calinski-Harabasz', 'sizes'],
    rows.map((r) => [
      r.method, r.params, String(r.nClusters), `${(100 * r.noiseShare).toFixed(1)}%`,
      fmt(r.silhouette, 3), fmt(r.daviesBouldin, 2), fmt(r.calinskiHarabasz, 0),
      (r.sizes.length > 10 ? [...r.sizes.slice(0, 10).map(String), '...'] : r.sizes.map(String)).join(' ') + (r.note ? `  (${r.note})` : ''),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  return { rows, metric, text };
}

/**
 * Charts of the cluster stage. Every builder returns the Plotly figure, a plain-text summary of
 * what it shows (the text/plain fallback) and the display bundle of both; none displays anything.
 *
 * Choice of k: elbow (inertia), silhouette, Davies-Bouldin and Calinski-Harabasz, stability, each
 * against k with the chosen k marked; the per-sample silhouette of the chosen k. Data: PCA
 * explained variance, k-distance curve with eps. Result: 2-D projection coloured by cluster,
 * cluster sizes, attribute heat map.
 */
import type { KAnalysis, PCAResult, Projection } from '../cluster';
import type { AttributeScores, ClusterExplanations } from '../stages/explain';
import { DataError } from '../validate';
import { EXPRESSIONS } from '../features/expressions';
import { clusterColor, figure, figureBundle, type Figure, type MimeBundle } from './figure';

export interface Chart {
  figure: Figure;
  /** What the chart shows, as text. */
  summary: string;
  bundle: MimeBundle;
}

function chart(fig: Figure, summary: string): Chart {
  return { figure: fig, summary, bundle: figureBundle(fig, summary) };
}

const CHOSEN = '#E45756';

function chosenLine(k: number | undefined): Record<string, unknown>[] {
  if (k === undefined) return [];
  return [{ type: 'line', xref: 'x', yref: 'paper', x0: k, x1: k, y0: 0, y1: 1, line: { color: CHOSEN, dash: 'dash', width: 1.5 } }];
}

function chosenNote(k: number | undefined): Record<string, unknown>[] {
  if (k === undefined) return [];
  return [{ x: k, y: 1, xref: 'x', yref: 'paper', text: `chosen k=${k}`, showarrow: false, yanchor: 'bottom', font: { color: CHOSEN, size: 12 } }];
}

function kAxis(ks: number[]): Record<string, unknown> {
  return { title: { text: 'number of clusters k' }, tickmode: 'array', tickvals: ks, dtick: 1 };
}

export interface KChartOptions {
  /** The chosen k, marked by a dashed line. */
  chosenK?: number;
}

function perK(analysis: KAnalysis, f: (s: KAnalysis['scores'][number]) => number, digits: number): string {
  return analysis.scores.map((s) => `k=${s.k}: ${Number.isFinite(f(s)) ? f(s).toFixed(digits) : '-'}`).join(', ');
}

/** Inertia (within-cluster sum of squares) against k: the elbow chart. */
export function elbowChart(analysis: KAnalysis, options: KChartOptions = {}): Chart {
  const ks = analysis.scores.map((s) => s.k);
  const fig = figure(
    [{ type: 'scatter', mode: 'lines+markers', name: 'inertia', x: ks, y: analysis.scores.map((s) => s.inertia), hovertemplate: 'k=%{x}: inertia %{y:.1f}<extra></extra>' }],
    {
      title: { text: 'Elbow: K-Means inertia against k' }, xaxis: kAxis(ks), yaxis: { title: { text: 'inertia (sum of squared distances)' } },
      shapes: chosenLine(options.chosenK), annotations: chosenNote(options.chosenK), showlegend: false,
    },
  );
  return chart(fig, `inertia by k: ${perK(analysis, (s) => s.inertia, 1)}${options.chosenK !== undefined ? `\nchosen k=${options.chosenK}` : ''}`);
}

/** Mean silhouette against k, the chosen k marked. */
export function silhouetteChart(analysis: KAnalysis, options: KChartOptions = {}): Chart {
  const ks = analysis.scores.map((s) => s.k);
  const y = analysis.scores.map((s) => s.silhouette);
  const fig = figure(
    [{
      type: 'scatter', mode: 'lines+markers', name: 'silhouette', x: ks, y,
      marker: { size: ks.map((k) => (k === options.chosenK ? 13 : 7)), color: ks.map((k) => (k === options.chosenK ? CHOSEN : '#4C78A8')) },
      hovertemplate: 'k=%{x}: silhouette %{y:.3f}<extra></extra>',
    }],
    {
      title: { text: `Mean silhouette (${analysis.metric}) against k: higher is better` }, xaxis: kAxis(ks), yaxis: { title: { text: 'mean silhouette' } },
      shapes: chosenLine(options.chosenK), annotations: chosenNote(options.chosenK), showlegend: false,
    },
  );
  return chart(fig, `mean silhouette (${analysis.metric}) by k: ${perK(analysis, (s) => s.silhouette, 3)}${options.chosenK !== undefined ? `\nchosen k=${options.chosenK}` : ''}`);
}

/** Davies-Bouldin (lower is better, left axis) and Calinski-Harabasz (higher is better, right axis) against k. */
export function dbChChart(analysis: KAnalysis, options: KChartOptions = {}): Chart {
  const ks = analysis.scores.map((s) => s.k);
  const fig = figure(
    [
      { type: 'scatter', mode: 'lines+markers', name: 'Davies-Bouldin (lower is better)', x: ks, y: analysis.scores.map((s) => s.daviesBouldin), marker: { color: '#F58518' }, line: { color: '#F58518' }, hovertemplate: 'k=%{x}: DB %{y:.2f}<extra></extra>' },
      { type: 'scatter', mode: 'lines+markers', name: 'Calinski-Harabasz (higher is better)', x: ks, y: analysis.scores.map((s) => s.calinskiHarabasz), yaxis: 'y2', marker: { color: '#54A24B' }, line: { color: '#54A24B', dash: 'dot' }, hovertemplate: 'k=%{x}: CH %{y:.0f}<extra></extra>' },
    ],
    {
      title: { text: 'Davies-Bouldin and Calinski-Harabasz against k' }, xaxis: kAxis(ks),
      yaxis: { title: { text: 'Davies-Bouldin' } },
      yaxis2: { title: { text: 'Calinski-Harabasz' }, overlaying: 'y', side: 'right', showgrid: false },
      legend: { orientation: 'h', y: -0.25 }, margin: { l: 60, r: 70, t: 50, b: 90 }, height: 420,
      shapes: chosenLine(options.chosenK), annotations: chosenNote(options.chosenK),
    },
  );
  return chart(fig, `Davies-Bouldin by k: ${perK(analysis, (s) => s.daviesBouldin, 2)}\nCalinski-Harabasz by k: ${perK(analysis, (s) => s.calinskiHarabasz, 0)}`);
}

export interface StabilityChartOptions extends KChartOptions {
  /** Threshold drawn as a horizontal line (default 0.8, chooseK's). */
  minStability?: number;
}

/** Mean bootstrap ARI against k with one standard deviation and the stability threshold. */
export function stabilityChart(analysis: KAnalysis, options: StabilityChartOptions = {}): Chart {
  const ks = analysis.scores.map((s) => s.k);
  const thr = options.minStability ?? 0.8;
  const fig = figure(
    [{
      type: 'scatter', mode: 'lines+markers', name: 'stability', x: ks, y: analysis.scores.map((s) => s.stability),
      error_y: { type: 'data', array: analysis.scores.map((s) => (Number.isFinite(s.stabilityStd) ? s.stabilityStd : 0)), visible: true },
      hovertemplate: 'k=%{x}: mean ARI %{y:.3f}<extra></extra>',
    }],
    {
      title: { text: `Stability: mean ARI of ${analysis.bootstrap.samples} bootstrap fits (${Math.round(100 * analysis.bootstrap.fraction)}% of the faces) against k` },
      xaxis: kAxis(ks), yaxis: { title: { text: 'adjusted Rand index' }, range: [Math.min(0, ...analysis.scores.map((s) => s.stability).filter(Number.isFinite)) - 0.05, 1.05] },
      shapes: [...chosenLine(options.chosenK), { type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: thr, y1: thr, line: { color: '#9e9e9e', dash: 'dot' } }],
      annotations: [...chosenNote(options.chosenK), { xref: 'paper', yref: 'y', x: 1, y: thr, text: `stable >= ${thr}`, showarrow: false, xanchor: 'right', yanchor: 'bottom', font: { size: 11, color: '#757575' } }],
      showlegend: false,
    },
  );
  const summary = analysis.bootstrap.samples === 0
    ? 'stability not measured (no bootstrap)'
    : `mean bootstrap ARI by k (threshold ${thr}): ${analysis.scores.map((s) => `k=${s.k}: ${s.stability.toFixed(2)} +/- ${s.stabilityStd.toFixed(2)}`).join(', ')}`;
  return chart(fig, summary);
}

export interface SilhouetteSamplesChartOptions {
  /** Cluster names for the legend (index = cluster). */
  names?: string[];
  metric?: string;
  /** Title suffix, e.g. "k=6". */
  title?: string;
}

/**
 * The per-sample silhouette plot: every face's silhouette, sorted within its cluster, clusters
 * stacked, with the mean as a dashed line. Noise (NaN) is left out.
 */
export function silhouetteSamplesChart(samples: ArrayLike<number>, labels: ArrayLike<number>, options: SilhouetteSamplesChartOptions = {}): Chart {
  const ids = Array.from(new Set(Array.from(labels).filter((l) => l >= 0))).sort((a, b) => a - b);
  let y0 = 0;
  let total = 0, count = 0;
  const traces: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const gap = Math.max(10, Math.round(labels.length / 100));
  for (const c of ids) {
    const v: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c && !Number.isNaN(samples[i])) v.push(samples[i]);
    v.sort((a, b) => b - a);
    const mean = v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
    total += v.reduce((s, x) => s + x, 0);
    count += v.length;
    const neg = v.filter((x) => x < 0).length;
    const name = options.names?.[c] ?? `cluster ${c}`;
    lines.push(`${name}: ${v.length} faces, mean ${mean.toFixed(3)}, ${neg} negative (${(100 * neg / Math.max(1, v.length)).toFixed(0)}%)`);
    traces.push({
      type: 'scatter', mode: 'lines', name, x: [0, ...v, 0], y: [y0, ...v.map((_, t) => y0 + t), y0 + v.length - 1],
      fill: 'toself', line: { color: clusterColor(c), width: 0.5 }, fillcolor: clusterColor(c), hoverinfo: 'name',
    });
    y0 += v.length + gap;
  }
  const avg = count ? total / count : NaN;
  const fig = figure(traces, {
    title: { text: `Silhouette of every face${options.title ? ` (${options.title})` : ''}` },
    xaxis: { title: { text: `silhouette${options.metric ? ` (${options.metric})` : ''}` }, range: [-0.3, 1] },
    yaxis: { showticklabels: false, title: { text: 'faces, sorted within each cluster' } },
    shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: avg, x1: avg, y0: 0, y1: 1, line: { color: CHOSEN, dash: 'dash' } }],
    annotations: [{ x: avg, y: 1, xref: 'x', yref: 'paper', text: `mean ${avg.toFixed(3)}`, showarrow: false, yanchor: 'bottom', font: { color: CHOSEN } }],
    height: 480,
  });
  return chart(fig, `mean silhouette ${avg.toFixed(3)} over ${count} faces\n${lines.join('\n')}`);
}

export interface VarianceChartOptions {
  /** A target share drawn as a horizontal line (e.g. 0.9). */
  varianceToKeep?: number;
  /** Show at most this many components (default 60). */
  maxComponents?: number;
}

/** Explained variance ratio per principal component (bars) and cumulative (line). */
export function pcaVarianceChart(p: PCAResult, options: VarianceChartOptions = {}): Chart {
  const q = Math.min(p.nComponents, options.maxComponents ?? 60);
  const x = Array.from({ length: q }, (_, i) => i + 1);
  const ratio = Array.from(p.explainedVarianceRatio.slice(0, q));
  const cum = Array.from(p.cumulativeVarianceRatio.slice(0, q));
  const target = options.varianceToKeep;
  const fig = figure(
    [
      { type: 'bar', name: 'per component', x, y: ratio, marker: { color: '#4C78A8' }, hovertemplate: 'PC%{x}: %{y:.1%}<extra></extra>' },
      { type: 'scatter', mode: 'lines+markers', name: 'cumulative', x, y: cum, marker: { color: '#F58518', size: 4 }, line: { color: '#F58518' }, hovertemplate: 'PC1..%{x}: %{y:.1%}<extra></extra>' },
    ],
    {
      title: { text: 'PCA: explained variance' }, xaxis: { title: { text: 'principal component' } },
      yaxis: { title: { text: 'share of variance' }, tickformat: '.0%', range: [0, 1.02] },
      shapes: target !== undefined ? [{ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: target, y1: target, line: { color: '#9e9e9e', dash: 'dot' } }] : [],
      legend: { orientation: 'h', y: -0.2 },
    },
  );
  const reach = (t: number): string => {
    const i = Array.from(p.cumulativeVarianceRatio).findIndex((v) => v >= t);
    return i >= 0 ? `${i + 1}` : `more than ${p.nComponents}`;
  };
  const summary = `first components: ${ratio.slice(0, 5).map((v, i) => `PC${i + 1} ${(100 * v).toFixed(1)}%`).join(', ')}\n` +
    `components for 50% / 80% / 90% / 95% of the variance: ${reach(0.5)} / ${reach(0.8)} / ${reach(0.9)} / ${reach(0.95)} (of ${p.nComponents} kept)`;
  return chart(fig, summary);
}

export interface KDistanceChartOptions {
  /** The eps chosen (horizontal line). */
  eps?: number;
  /** The k of the k-distances (title). */
  k?: number;
  /** Index of the knee in the sorted distances (marker). */
  kneeIndex?: number;
  /** Points drawn at most (the curve is thinned evenly; default 2000). */
  maxPoints?: number;
}

/** The sorted k-distance curve used to choose DBSCAN's eps, with the chosen eps. */
export function kDistanceChart(kDistances: ArrayLike<number>, options: KDistanceChartOptions = {}): Chart {
  const sorted = Float64Array.from(kDistances).sort();
  const n = sorted.length;
  const step = Math.max(1, Math.ceil(n / (options.maxPoints ?? 2000)));
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i += step) { xs.push(i); ys.push(sorted[i]); }
  if (n > 0 && xs[xs.length - 1] !== n - 1) { xs.push(n - 1); ys.push(sorted[n - 1]); }
  const traces: Record<string, unknown>[] = [{ type: 'scatter', mode: 'lines', name: 'k-distance', x: xs, y: ys, hovertemplate: 'point %{x}: %{y:.3f}<extra></extra>' }];
  if (options.kneeIndex !== undefined && options.kneeIndex < n) {
    traces.push({ type: 'scatter', mode: 'markers', name: 'knee', x: [options.kneeIndex], y: [sorted[options.kneeIndex]], marker: { color: CHOSEN, size: 10 } });
  }
  const eps = options.eps;
  const below = eps !== undefined ? sorted.filter((v) => v <= eps).length : 0;
  const fig = figure(traces, {
    title: { text: `Sorted ${options.k !== undefined ? `${options.k}-th ` : 'k-th '}nearest-neighbour distances (DBSCAN eps)` },
    xaxis: { title: { text: 'points, sorted by distance' } }, yaxis: { title: { text: 'distance to the k-th neighbour' } },
    shapes: eps !== undefined ? [{ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: eps, y1: eps, line: { color: CHOSEN, dash: 'dash' } }] : [],
    annotations: eps !== undefined ? [{ xref: 'paper', yref: 'y', x: 0, y: eps, text: `eps = ${eps.toFixed(3)}`, showarrow: false, xanchor: 'left', yanchor: 'bottom', font: { color: CHOSEN } }] : [],
    showlegend: false,
  });
  const q = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * (n - 1)))];
  const summary = `${n} points; k-distance median ${q(0.5).toFixed(3)}, p90 ${q(0.9).toFixed(3)}, max ${q(1).toFixed(3)}` +
    (eps !== undefined ? `\neps = ${eps.toFixed(3)}: ${below} points (${(100 * below / Math.max(1, n)).toFixed(1)}%) have their k-th neighbour within eps` : '');
  return chart(fig, summary);
}

export interface ProjectionChartOptions {
  /** Hover text of every point (e.g. the file name). */
  hoverText?: string[];
  /** Thumbnail URL of every point, passed as customdata (a notebook can show it on hover). */
  imageUrls?: string[];
  /** Cluster names for the legend (index = cluster). */
  names?: string[];
  title?: string;
  /** Legend name of the points labelled -1 (default 'noise'). */
  noiseName?: string;
  /** Marker size (default 4). */
  markerSize?: number;
}

/** 2-D projection (UMAP or PCA) of the faces, one colour per cluster, noise in grey. */
export function projectionChart(projection: Projection, labels: ArrayLike<number>, options: ProjectionChartOptions = {}): Chart {
  const e = projection.embedding;
  if (labels.length !== e.rows) throw new DataError(`projectionChart: ${labels.length} labels for ${e.rows} points`);
  const ids = Array.from(new Set(Array.from(labels))).sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const traces = ids.map((c) => {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) idx.push(i);
    const name = c < 0 ? `${options.noiseName ?? 'noise'} (${idx.length})` : `${options.names?.[c] ?? `cluster ${c}`} (${idx.length})`;
    return {
      type: 'scattergl', mode: 'markers', name,
      x: idx.map((i) => e.data[i * 2]), y: idx.map((i) => e.data[i * 2 + 1]),
      text: idx.map((i) => options.hoverText?.[i] ?? `face ${i}`),
      ...(options.imageUrls ? { customdata: idx.map((i) => options.imageUrls![i]) } : {}),
      hovertemplate: `%{text}<br>${c < 0 ? options.noiseName ?? 'noise' : options.names?.[c] ?? `cluster ${c}`}<extra></extra>`,
      marker: { size: options.markerSize ?? 4, color: clusterColor(c), opacity: c < 0 ? 0.4 : 0.75 },
    };
  });
  const fig = figure(traces, {
    title: { text: options.title ?? `Faces in 2-D (${projection.method.toUpperCase()}), coloured by cluster` },
    xaxis: { title: { text: `${projection.method} 1` }, zeroline: false }, yaxis: { title: { text: `${projection.method} 2` }, zeroline: false },
    height: 560, legend: { itemsizing: 'constant' },
  });
  const summary = `${e.rows} faces projected with ${projection.method}; ` +
    ids.map((c) => `${c < 0 ? options.noiseName ?? 'noise' : options.names?.[c] ?? `cluster ${c}`}: ${Array.from(labels).filter((l) => l === c).length}`).join(', ') +
    (projection.warnings.length ? `\n${projection.warnings.join('\n')}` : '');
  return chart(fig, summary);
}

export interface SizeChartOptions {
  names?: string[];
  title?: string;
}

/** Number of faces per cluster (noise as a grey bar when present). */
export function clusterSizeChart(labels: ArrayLike<number>, options: SizeChartOptions = {}): Chart {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  const ids = Array.from(counts.keys()).sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const names = ids.map((c) => (c < 0 ? 'noise' : options.names?.[c] ?? `cluster ${c}`));
  const fig = figure(
    [{
      type: 'bar', x: names, y: ids.map((c) => counts.get(c)!), marker: { color: ids.map((c) => clusterColor(c)) },
      text: ids.map((c) => `${counts.get(c)} (${(100 * counts.get(c)! / labels.length).toFixed(1)}%)`), textposition: 'outside',
      hovertemplate: '%{x}: %{y} faces<extra></extra>',
    }],
    { title: { text: options.title ?? 'Faces per cluster' }, yaxis: { title: { text: 'faces' } }, showlegend: false },
  );
  return chart(fig, ids.map((c, i) => `${names[i]}: ${counts.get(c)} (${(100 * counts.get(c)! / labels.length).toFixed(1)}%)`).join('\n'));
}

/**
 * Heat map of clusters (rows) against attributes (columns): either the external binary
 * attributes of `scoreAgainstLabels` (share of faces having each, NMI in the column titles) or
 * the face-api estimates of `explainClusters` (male share, expressions as mean probabilities,
 * mean age scaled to 0..1 over 0-80 years, the real age in the hover text).
 */
export function attributeHeatmap(input: AttributeScores | ClusterExplanations, options: { title?: string } = {}): Chart {
  let rows: string[], cols: string[], z: number[][], text: string[][];
  if ('share' in input) {
    rows = input.clusters.map((c) => (c < 0 ? 'noise' : `cluster ${c}`));
    cols = input.attributes.map((a, i) => `${a} (NMI ${input.nmi[i].toFixed(2)})`);
    z = input.share;
    text = z.map((r) => r.map((v) => `${(100 * v).toFixed(0)}%`));
  } else {
    const ex = EXPRESSIONS;
    rows = input.clusters.map((c) => `${c.cluster}: ${c.label}`);
    cols = ['age (0-80)', 'men', ...ex];
    z = input.clusters.map((c) => [Math.min(1, c.ageMean / 80), c.maleShare, ...ex.map((e) => c.expressions[e])]);
    text = input.clusters.map((c) => [`${c.ageMean.toFixed(0)} y`, `${(100 * c.maleShare).toFixed(0)}%`, ...ex.map((e) => c.expressions[e].toFixed(2))]);
  }
  const fig = figure(
    [{ type: 'heatmap', x: cols, y: rows, z, text, texttemplate: '%{text}', colorscale: 'Blues', zmin: 0, zmax: 1, hovertemplate: '%{y} / %{x}: %{text}<extra></extra>' }],
    {
      title: { text: options.title ?? 'Clusters against attributes' }, yaxis: { autorange: 'reversed', automargin: true },
      xaxis: { automargin: true, tickangle: -30 }, height: Math.max(320, 60 + 34 * rows.length), margin: { l: 200, r: 20, t: 50, b: 100 },
    },
  );
  const summary = 'text' in input ? input.text : '';
  return chart(fig, summary);
}

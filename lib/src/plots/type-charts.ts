/**
 * Charts of the face types: the types x traits share heat map (every word of a label can be
 * checked on it), the tree of types and sub-types (a sunburst: size = faces, hover = label and
 * profile) and the 2-D projection coloured by any trait.
 */
import type { Projection } from '../cluster';
import type { FaceTrait } from '../features/traits';
import type { TraitShares } from '../stages/type-labels';
import type { TypeNode } from '../stages/type-tree';
import { DataError } from '../validate';
import { ITA_BOUNDS } from '../features/attributes';
import { type Chart, projectionChart } from './cluster-charts';
import { figure, figureBundle } from './figure';

const pct1 = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '-');

/** Types (rows, with their labels) x trait values (columns): share of members, one decimal. */
export function traitHeatmap(shares: TraitShares, names: Map<number, string>, options: { title?: string } = {}): Chart {
  const rows = [...shares.types.map((c) => `${c}: ${names.get(c) ?? `type ${c}`}`), 'everyone'];
  const cols = shares.columns.map((c) => (c.validated ? c.name : `${c.name} (not validated)`));
  const z = [...shares.share, shares.overall].map((r) => r.map((v) => (Number.isFinite(v) ? v : null)));
  const text = [...shares.share, shares.overall].map((r) => r.map(pct1));
  const fig = figure(
    [{ type: 'heatmap', x: cols, y: rows, z, text, texttemplate: '%{text}', colorscale: 'Blues', zmin: 0, zmax: 1, hovertemplate: '%{y}<br>%{x}: %{text}<extra></extra>', colorbar: { tickformat: '.0%' } }],
    {
      title: { text: options.title ?? 'Share of each trait in each type' }, yaxis: { autorange: 'reversed', automargin: true },
      xaxis: { automargin: true, tickangle: -30, side: 'bottom' }, height: Math.max(340, 110 + 34 * rows.length), margin: { l: 260, r: 20, t: 72, b: 110 },
    },
  );
  const summary = rows.map((r, i) => `${r}: ${shares.columns.map((c, j) => `${c.name} ${text[i][j]}`).join(', ')}`).join('\n');
  return { figure: fig, summary, bundle: figureBundle(fig, summary) };
}

/** The tree of types: a sunburst of level-1 types and their parts (size = faces). */
export function typeTreeChart(nodes: TypeNode[], options: { title?: string; profiles?: Map<string, string> } = {}): Chart {
  if (!nodes.length) throw new DataError('typeTreeChart: no types');
  const total = nodes.filter((n) => n.level === 1).reduce((s, n) => s + n.size, 0);
  const text = (n: TypeNode) => `${n.label}<br>${n.size} faces (${pct1(n.size / total)})`;
  const fig = figure(
    [{
      type: 'sunburst', branchvalues: 'total',
      ids: nodes.map((n) => n.id), parents: nodes.map((n) => n.parentId), values: nodes.map((n) => n.size),
      labels: nodes.map((n) => `${n.id}: ${n.label}`),
      hovertext: nodes.map((n) => `${text(n)}${options.profiles?.get(n.id) ? `<br>${options.profiles.get(n.id)}` : ''}`),
      hoverinfo: 'text', textinfo: 'label', insidetextorientation: 'radial',
    }],
    { title: { text: options.title ?? 'Types and sub-types (size = faces)' }, height: 620, margin: { l: 10, r: 10, t: 72, b: 10 } },
  );
  const summary = nodes.map((n) => `${n.level === 2 ? '  ' : ''}${n.id}: ${n.label} - ${n.size} faces (${pct1(n.size / total)})`).join('\n');
  return { figure: fig, summary, bundle: figureBundle(fig, summary) };
}

/** The text tree (one line per node, parts indented), for reports and logs. */
export function typeTreeText(nodes: TypeNode[]): string {
  return typeTreeChart(nodes).summary;
}

/** The 2-D projection coloured by one trait (its categories, or has / has not; grey: not measurable). */
export function projectionByTrait(projection: Projection, trait: FaceTrait, options: { hoverText?: string[] } = {}): Chart {
  const labels = Int32Array.from(trait.values, (v) => (Number.isNaN(v) ? -1 : v));
  const names = trait.kind === 'binary' ? [`not ${trait.word ?? trait.name}`, trait.word ?? trait.name] : trait.categories!;
  return projectionChart(projection, labels, { names, noiseName: 'not measurable', title: `Faces in 2-D (${projection.method.toUpperCase()}), coloured by ${trait.name}`, hoverText: options.hoverText });
}

/**
 * The distribution of the skin tone (ITA, degrees) with the six standard category bounds; the
 * summary gives each category's share and how many faces had no measurable skin (colour cast,
 * exposure, no colour).
 */
export function itaChart(skin: FaceTrait, options: { title?: string } = {}): Chart {
  if (!skin.score || !skin.categories) throw new DataError(`itaChart: trait ${skin.name} has no ITA scores and categories`);
  const ita = Array.from(skin.score).filter(Number.isFinite);
  const n = skin.score.length;
  const counts = skin.categories.map((_, c) => Array.from(skin.values).filter((v) => v === c).length);
  const names = skin.categories.map((c, k) => `${c} ${pct1(ita.length ? counts[k] / ita.length : NaN)}`);
  // category k lies between ITA_BOUNDS[k] (below) and ITA_BOUNDS[k - 1] (above)
  const mid = (k: number) => (k === 0 ? ITA_BOUNDS[0] + 12 : k === ITA_BOUNDS.length ? ITA_BOUNDS[k - 1] - 12 : (ITA_BOUNDS[k - 1] + ITA_BOUNDS[k]) / 2);
  const fig = figure(
    [{ type: 'histogram', x: ita, xbins: { size: 2.5 }, marker: { color: '#9D755D' }, name: 'faces', hovertemplate: 'ITA %{x}°: %{y} faces<extra></extra>' }],
    {
      title: { text: options.title ?? `Skin tone (ITA) of ${ita.length} faces (${n - ita.length} not measurable)` },
      xaxis: { title: { text: 'ITA (degrees): darker ← → lighter' } }, yaxis: { title: { text: 'faces' } }, margin: { l: 60, r: 20, t: 90, b: 50 },
      shapes: ITA_BOUNDS.map((b) => ({ type: 'line', x0: b, x1: b, yref: 'paper', y0: 0, y1: 1, line: { dash: 'dot', color: '#555', width: 1 } })),
      annotations: names.map((t, k) => ({ x: mid(k), yref: 'paper', y: 1.02, yanchor: 'bottom', text: t, showarrow: false, font: { size: 11 } })),
    },
  );
  const sorted = [...ita].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
  const summary = `ITA of ${ita.length} of ${n} faces (median ${Number.isFinite(median) ? median.toFixed(1) : '-'}°; ${n - ita.length} not measurable): ${names.join(', ')}`;
  return { figure: fig, summary, bundle: figureBundle(fig, summary) };
}

/**
 * reports/index.html: the run's results for a person without Jupyter, in one self-contained
 * file (plotly.js, charts and images inlined; no network): the filter funnel, the chosen k and why,
 * the metric charts, each cluster (label, size, attribute profile, typical faces, average face)
 * and the global average, with links to the executed notebooks.
 *
 * It also makes the notebooks' HTML exports work offline: nbconvert's exports load require.js and
 * MathJax from a CDN, and our charts' HTML fallback needs a global Plotly; the exports get a local
 * copy of plotly.js (reports/assets/) instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { projectPaths } from '../config';
import type { ClustersFile, TypesSummary } from '../stages/types';
import type { FacesFile } from '../stages/prepare';
import type { TypeNode } from '../stages/type-tree';
import { traitHeatmap, typeTreeChart } from '../plots/type-charts';
import { TREE_GRID_FILE } from '../stages/type-averages';
import type { FunnelRow } from '../faces/filter';
import { clusterColor, figure, scriptJson, type Figure } from '../plots/figure';
import { DataError } from '../validate';
import { staleAverages } from '../stages/averages';
import { escapeHtml } from '../io/text';
import { biasChart } from '../plots/prepare-charts';
import type { BiasTable } from '../faces/bias';

export interface ReportOptions {
  dataDir?: string;
  reportsDir?: string;
  /** Faces shown per cluster. */
  facesPerCluster?: number;
}

/** plotly.js, minified, from the installed package. */
export function plotlyScript(): string {
  return fs.readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
}

/** An image file as a data: URI, resized to `width` (never enlarged). */
export async function dataUri(file: string, width: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  const img = sharp(file).resize({ width, withoutEnlargement: true });
  const buf = format === 'jpeg' ? await img.jpeg({ quality: 85 }).toBuffer() : await img.png().toBuffer();
  return `data:image/${format};base64,${buf.toString('base64')}`;
}

let plotId = 0;
function chartDiv(fig: Figure): string {
  const id = `chart-${plotId++}`;
  const h = typeof fig.layout.height === 'number' ? fig.layout.height : 360;
  return `<div class="chart" id="${id}" style="height:${h}px"></div><script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptJson(fig.data)}, ${scriptJson(fig.layout)}, {responsive: true, displaylogo: false});</script>`;
}

function kCharts(c: ClustersFile): string {
  const ks = c.scores.map((s) => s.k);
  const marker = [{ type: 'line', xref: 'x', yref: 'paper', x0: c.k, x1: c.k, y0: 0, y1: 1, line: { color: '#E45756', dash: 'dash' } }];
  const line = (name: string, y: number[], title: string, yTitle: string) =>
    figure([{ type: 'scatter', mode: 'lines+markers', name, x: ks, y }], {
      title: { text: title }, xaxis: { title: { text: 'k' }, dtick: 1 }, yaxis: { title: { text: yTitle } }, shapes: marker, height: 300, margin: { l: 60, r: 10, t: 40, b: 40 },
    });
  return [
    line('inertia', c.scores.map((s) => s.inertia), 'Elbow: inertia', 'inertia'),
    line('silhouette', c.scores.map((s) => s.silhouette), 'Silhouette (cosine, higher is better)', 'mean silhouette'),
    line('stability', c.scores.map((s) => s.stability), 'Stability: bootstrap ARI', 'mean ARI'),
    line('Davies-Bouldin', c.scores.map((s) => s.daviesBouldin), 'Davies-Bouldin (lower is better)', 'DB index'),
  ].map((f) => `<div class="cell">${chartDiv(f)}</div>`).join('');
}

function funnelChart(rows: FunnelRow[]): string {
  const steps = rows.filter((r) => r.step !== 'kept' && r.removed > 0);
  const start = rows.length ? rows[0].remaining + rows[0].removed : 0;
  const labels = ['candidates', ...steps.map((r) => r.step), 'kept'];
  const values = [start, ...steps.map((r) => r.remaining), rows[rows.length - 1]?.remaining ?? 0];
  return chartDiv(figure([{ type: 'funnel', y: labels, x: values, textinfo: 'value', marker: { color: labels.map((_, i) => (i === labels.length - 1 ? '#54A24B' : i === 0 ? '#BAB0AC' : '#E45756')) } }],
    { title: { text: 'What each filter removed' }, height: 380, margin: { l: 190, r: 20, t: 40, b: 20 } }));
}

/** The tree of types, the share of every trait in every type and the comparison of typings. */
function typesSection(t: TypesSummary, treeGrid: string | null): string {
  const names = new Map(t.nodes.filter((n) => n.leaf !== null).map((n) => [n.leaf!, n.label]));
  const shares = { ...t.traitShares, share: t.traitShares.share.map((r) => r.map((v) => v ?? NaN)), overall: t.traitShares.overall.map((v) => v ?? NaN) };
  const table = (rows: Record<string, string | number>[]) => {
    const cols = Object.keys(rows[0] ?? {});
    return `<table><tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(String(r[c]))}</td>`).join('')}</tr>`).join('')}</table>`;
  };
  return `<h2>The tree of types</h2>
<p>${escapeHtml(t.justification)}</p>
${chartDiv(typeTreeChart(t.nodes as TypeNode[]).figure)}
${treeGrid ? `<figure><img alt="average face of every type and sub-type" src="${treeGrid}"><figcaption>The average face of every node of the tree: each level-1 type, followed by its sub-types</figcaption></figure>` : ''}
<h2>What each type is made of</h2>
<p>Every word of a label holds for at least 80% of the type's faces and is clearly more frequent there than over everyone; the share of every trait in every type:</p>
${chartDiv(traitHeatmap(shares, names).figure)}
${t.comparison ? `<h2>Two-level types against flat alternatives</h2><p>${escapeHtml(t.comparisonJustification ?? '')}</p>${table(t.comparison)}` : ''}`;
}

/**
 * The selection-bias section: data/processed/bias.json (notebook 01's estimatedBias), else the
 * preparation's metadata table from prepare.json; a sentence when neither has a trait.
 */
function biasSection(processed: string, prepare: { source: { label: string }; kept: number; bias?: BiasTable }): string {
  const file = path.join(processed, 'bias.json');
  let table: BiasTable | undefined = prepare.bias;
  const estimated = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { table: BiasTable; source?: string; keptFaces?: number }) : null;
  // only the estimates of this preparation (same source, same kept faces)
  if (estimated && estimated.source === prepare.source.label && estimated.keptFaces === prepare.kept) table = estimated.table;
  if (!table || table.rows.length === 0) return '<p>No trait is known for the candidates (no metadata, and no estimates: run notebook 01 to estimate gender and age with face-api).</p>';
  const { figure: fig } = biasChart(table);
  const rows = table.rows.map((r) => `<tr><td>${escapeHtml(r.trait)}</td><td>${escapeHtml(r.group)}</td><td>${r.allPct}%</td><td>${r.keptPct}%</td><td${r.flagged ? ' style="color:#E45756"' : ''}>${r.shift > 0 ? '+' : ''}${r.shift}</td></tr>`).join('');
  const warn = table.warnings.length ? `<ul class="reasons">${table.warnings.map((w) => `<li>warning: ${escapeHtml(w)}</li>`).join('')}</ul>` : `<p>No group's share moved by more than ${table.maxShift ?? 5} points.</p>`;
  return `${table.note ? `<p>${escapeHtml(table.note)}.</p>` : ''}${fig ? chartDiv(fig) : ''}
<table><tr><th>trait</th><th>group</th><th>all candidates (${table.candidates})</th><th>kept (${table.kept})</th><th>shift (points)</th></tr>${rows}</table>
${warn}`;
}

/** Builds reports/index.html from the run's outputs; returns its path. */
export async function buildReport(options: ReportOptions = {}): Promise<string> {
  const paths = projectPaths(options.dataDir);
  const reports = path.resolve(options.reportsDir ?? paths.reports);
  const per = options.facesPerCluster ?? 8;
  const need = (f: string) => {
    if (!fs.existsSync(f)) throw new DataError(`the report needs ${f}: run the three notebooks first (npm start)`);
    return f;
  };
  const prepare = JSON.parse(fs.readFileSync(need(path.join(paths.processed, 'prepare.json')), 'utf8')) as { source: { label: string; photos: number }; kept: number; funnel: FunnelRow[]; bias?: BiasTable; seconds: number; backend: string | null; finishedAt: string };
  const facesFile = JSON.parse(fs.readFileSync(need(path.join(paths.processed, 'faces.json')), 'utf8')) as FacesFile;
  const clusters = JSON.parse(fs.readFileSync(need(path.join(paths.processed, 'clusters.json')), 'utf8')) as ClustersFile;
  const avgDir = paths.averages;
  need(path.join(avgDir, 'global.png'));
  // never a report that mixes the clusters of one run with the averages of another
  const stale = staleAverages(paths);
  if (stale) throw new DataError(`the averages in ${avgDir} do not belong to these clusters (${stale}): run notebook 03 again (npm start -- --only 03)`);
  fs.mkdirSync(reports, { recursive: true });
  plotId = 0;

  const clusterBlocks: string[] = [];
  for (const c of clusters.clusters) {
    const thumbs = await Promise.all(c.closest.slice(0, per).map(async (name) => `<img class="thumb" alt="${escapeHtml(name)}" title="${escapeHtml(name)}" src="${await dataUri(path.join(paths.faces, name), 96)}">`));
    const avgFile = path.join(avgDir, `cluster-${c.cluster}.png`);
    const avg = fs.existsSync(avgFile) ? `<img class="average" alt="average face of cluster ${c.cluster}" src="${await dataUri(avgFile, 256)}">` : '<div class="average missing">no average</div>';
    const expr = Object.entries(c.expressions).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([e, v]) => `${e} ${(100 * v).toFixed(0)}%`).join(', ');
    clusterBlocks.push(`<section class="cluster" style="border-left: 6px solid ${clusterColor(c.cluster)}">
  ${avg}
  <div class="about">
    <h3>${c.cluster} · ${escapeHtml(c.label)}</h3>
    <p class="stats"><b>${c.size}</b> faces (${(100 * c.size / facesFile.faces.length).toFixed(1)}%) · age ${c.ageMean.toFixed(0)} ± ${c.ageStd.toFixed(0)} · ${(100 * c.maleShare).toFixed(0)}% men · ${escapeHtml(expr)}</p>
    <div class="thumbs">${thumbs.join('')}</div>
  </div>
</section>`);
  }
  const morphs = fs.readdirSync(avgDir).filter((f) => /^morph-\d+-\d+\.gif$/.test(f)).sort();
  const morphHtml = morphs.map((f) => {
    const [a, b] = f.slice(6, -4).split('-');
    const gif = fs.readFileSync(path.join(avgDir, f)).toString('base64');
    return `<figure><img alt="morph from type ${a} to type ${b}" src="data:image/gif;base64,${gif}"><figcaption>From type ${a} to type ${b}: shape and texture blended</figcaption></figure>`;
  });
  const comparison = clusters.comparison.map((r) => `<tr><td>${escapeHtml(r.method)}</td><td>${escapeHtml(r.params)}</td><td>${r.nClusters}</td><td>${(100 * r.noiseShare).toFixed(0)}%</td><td>${Number.isFinite(r.silhouette) ? r.silhouette.toFixed(3) : '–'}</td><td>${Number.isFinite(r.daviesBouldin) ? r.daviesBouldin.toFixed(2) : '–'}</td></tr>`).join('');
  const treeFile = path.join(avgDir, TREE_GRID_FILE);
  const tree = clusters.tree ? typesSection(clusters.tree, fs.existsSync(treeFile) ? await dataUri(treeFile, 1024) : null) : '';
  const notebooks = ['01_data_preparation', '02_clustering', '03_average_face']
    .filter((n) => fs.existsSync(path.join(reports, `${n}.html`)))
    .map((n) => `<a href="${n}.html">${n.replace(/_/g, ' ')}</a> (<a href="${n}.ipynb">ipynb</a>)`).join(' · ');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>facetype report: ${clusters.k} types of faces</title>
<style>
body { font-family: Inter, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px; padding: 24px; color: #222; }
h1 { margin-bottom: 4px; } .sub { color: #666; margin-top: 0; }
.hero { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.hero img { width: 320px; border-radius: 6px; } .why { flex: 1; min-width: 320px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 8px; }
.cluster { display: flex; gap: 16px; padding: 10px 12px; margin: 12px 0; background: #fafafa; border-radius: 6px; }
.cluster .average { width: 200px; height: 200px; border-radius: 4px; } .about h3 { margin: 4px 0; }
.thumbs { display: flex; flex-wrap: wrap; gap: 4px; } .thumb { width: 72px; height: 72px; border-radius: 3px; }
.stats { color: #444; } table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.reasons li { margin: 2px 0; } footer { color: #777; font-size: 12px; margin-top: 32px; }
</style>
<script>${plotlyScript()}</script>
</head><body>
<h1>${clusters.k} types of faces</h1>
<p class="sub">${escapeHtml(prepare.source.label)} · ${prepare.source.photos} photos → ${prepare.kept} clean frontal faces kept → ${clusters.k} clusters (K-Means) · ${escapeHtml(new Date(prepare.finishedAt).toUTCString())}</p>
<div class="hero">
  <figure><img alt="average face of everyone" src="${await dataUri(path.join(avgDir, 'global.png'), 512)}"><figcaption>Everyone's average face (${facesFile.faces.length} faces, warped to the mean shape)</figcaption></figure>
  <div class="why"><h2>Why ${clusters.k} clusters</h2><p>${escapeHtml(clusters.kChoice.justification)}</p>
  <ul class="reasons">${clusters.kChoice.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
  <p>${escapeHtml(clusters.methodJustification)}</p></div>
</div>
<h2>Choosing k</h2>
<div class="grid">${kCharts(clusters)}</div>
${tree}
<h2>The ${clusters.tree ? 'types' : 'clusters'}</h2>
${clusterBlocks.join('\n')}
${morphHtml.length ? `<h2>From one type to another</h2>\n${morphHtml.join('\n')}\n` : ''}<h2>Other methods on the same data</h2>
<table><tr><th>method</th><th>parameters</th><th>clusters</th><th>noise</th><th>silhouette</th><th>Davies-Bouldin</th></tr>${comparison}</table>
<h2>From photos to faces</h2>
${funnelChart(prepare.funnel)}
<h2>Selection bias</h2>
${biasSection(paths.processed, prepare)}
<footer>Features: ${clusters.features.columns} columns (face-api descriptor, age, gender) → ${clusters.features.pcaComponents} principal components (${(100 * clusters.features.varianceKept).toFixed(0)}% of the variance).
Notebooks: ${notebooks || 'not exported'}. Made by facetype.</footer>
</body></html>
`;
  const out = path.join(reports, 'index.html');
  fs.writeFileSync(out, html);
  for (const n of ['01_data_preparation', '02_clustering', '03_average_face']) {
    const f = path.join(reports, `${n}.html`);
    if (fs.existsSync(f)) offlineExport(f, reports);
  }
  return out;
}

/**
 * Makes an nbconvert HTML export work offline: drops its CDN scripts (require.js, MathJax) and
 * loads plotly.js from reports/assets/ so the charts' HTML fallbacks draw.
 */
export function offlineExport(file: string, reportsDir: string): void {
  const assets = path.join(reportsDir, 'assets');
  fs.mkdirSync(assets, { recursive: true });
  const local = path.join(assets, 'plotly.min.js');
  if (!fs.existsSync(local)) fs.copyFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), local);
  let html = fs.readFileSync(file, 'utf8');
  html = html.replace(/<script[^>]*src="https?:\/\/[^"]*"[^>]*>\s*<\/script>/g, '');
  html = html.replace(/<script[^>]*>\s*window\.MathJax[\s\S]*?<\/script>/g, '');
  html = html.replace(/<link[^>]*href="https?:\/\/[^"]*"[^>]*>/g, '');
  const rel = path.relative(path.dirname(file), local).split(path.sep).join('/');
  if (!html.includes(`src="${rel}"`)) html = html.replace('</head>', `<script src="${rel}"></script>\n</head>`);
  fs.writeFileSync(file, html);
}

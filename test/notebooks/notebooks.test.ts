import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot, runtime, stages } from 'facetype';
import * as jupyter from 'facetype/dist/cli/jupyter';

/**
 * The three notebooks, headless with the tslab kernel, in order on one data folder (each reads
 * the previous one's outputs), on the embedded demo source.
 */
const skip = jupyter.notebookSkipReason();
if (skip) console.log(`# skipping the notebook tests: ${skip}`);

let data = '';
let outDir = '';
const env = () => ({ FACETYPE_SOURCE: 'demo', FACETYPE_DATA: data, FACETYPE_KEEP: '9000', FACETYPE_K: '' });
const notebook = (name: string) => path.join(projectRoot(), 'notebooks', name);
const plotly = 'application/vnd.plotly.v1+json';

before(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-nb-'));
  outDir = path.join(data, 'reports');
});
after(() => fs.rmSync(data, { recursive: true, force: true }));

function checkCommon(o: jupyter.NotebookOutputs): void {
  assert.deepEqual(o.errors, []);
  assert.doesNotMatch(o.stderr, /Error/);
  // every chart carries its HTML and text fallbacks
  for (const types of o.mimeTypes) if (types.includes(plotly)) assert.ok(types.includes('text/html') && types.includes('text/plain'), 'a chart without its fallback');
  // every code cell shows something
  o.mimeTypes.forEach((types, i) => assert.ok(types.length > 0, `code cell ${i + 1} shows nothing`));
}

test('notebook 01 (data preparation) runs on the demo and writes the kept faces and the manifest', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const r = await jupyter.executeNotebook(notebook('01_data_preparation.ipynb'), { outDir, env: env() });
  const o = jupyter.readOutputs(r.executed);
  checkCommon(o);
  assert.ok((o.counts[plotly] ?? 0) >= 5, JSON.stringify(o.counts)); // funnel, pose, blur, size, selection bias
  assert.ok((o.counts['image/png'] ?? 0) >= 2); // kept and rejected sheets
  // the selection-bias chart is drawn from face-api's estimates on the demo (no metadata): never empty
  const nb = JSON.parse(fs.readFileSync(r.executed, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  type Fig = { data: Record<string, unknown>[]; layout: { title?: { text?: string } } };
  const figures = nb.cells.flatMap((c) => c.outputs ?? []).map((out) => out.data?.[plotly] as Fig | undefined).filter((f): f is Fig => f !== undefined);
  const drawn = (t: Record<string, unknown>) => ['x', 'y', 'values', 'z'].some((k) => Array.isArray(t[k]) && (t[k] as unknown[]).length > 0);
  const bias = figures.find((f) => /Selection bias/.test(f.layout.title?.text ?? ''));
  assert.ok(bias, 'no selection-bias chart');
  assert.ok(bias.data.length === 2 && bias.data.every(drawn), 'an empty selection-bias chart');
  for (const f of figures) assert.ok(f.data.some(drawn), `an empty chart: ${f.layout.title?.text}`);
  const faces = fs.readdirSync(path.join(data, 'processed', 'faces'));
  assert.ok(faces.length >= 8, `only ${faces.length} faces kept from the demo`);
  const manifest = fs.readFileSync(path.join(data, 'processed', 'manifest.csv'), 'utf8').trim().split('\n');
  assert.ok(manifest.length > faces.length, 'the manifest lists rejected candidates too');
});

test('notebook 02 (clustering) charts the choice of k, explains the clusters and writes clusters.csv and the folders', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const r = await jupyter.executeNotebook(notebook('02_clustering.ipynb'), { outDir, env: env() });
  const o = jupyter.readOutputs(r.executed);
  checkCommon(o);
  // PCA, elbow, silhouette, DB/CH, stability, silhouette samples, k-distance, sizes, heat map, projection
  assert.ok((o.counts[plotly] ?? 0) >= 10, JSON.stringify(o.counts));
  const csv = fs.readFileSync(path.join(data, 'processed', 'clusters.csv'), 'utf8').trim().split('\n');
  const faces = fs.readdirSync(path.join(data, 'processed', 'faces'));
  assert.equal(csv.length - 1, faces.length);
  const header = csv[0].split(',');
  for (const col of ['face', 'cluster', 'label', 'distance', 'age', 'male']) assert.ok(header.includes(col), `clusters.csv lacks ${col}`);
  const json = JSON.parse(fs.readFileSync(path.join(data, 'processed', 'clusters.json'), 'utf8')) as { k: number; kChoice: { justification: string }; clusters: { folder: string; size: number }[] };
  assert.ok(json.k >= 2 && json.k <= 10);
  assert.match(json.kChoice.justification, /silhouette/);
  const folders = fs.readdirSync(path.join(data, 'processed', 'clusters'));
  assert.equal(folders.length, json.k);
  const linked = folders.reduce((s, f) => s + fs.readdirSync(path.join(data, 'processed', 'clusters', f)).length, 0);
  assert.equal(linked, faces.length);
  // the tree of types: level-1 nodes cover every face, folder names follow the (distinct) labels
  const tree = (json as unknown as { tree: { nodes: { level: number; size: number }[]; shares: unknown[] } }).tree;
  assert.equal(tree.nodes.filter((n) => n.level === 1).reduce((s, n) => s + n.size, 0), faces.length);
  assert.equal(tree.shares.length, json.k + 1);
  const labels = (json.clusters as unknown as { label: string; folder: string; cluster: number }[]);
  assert.equal(new Set(labels.map((c) => c.label)).size, labels.length);
  for (const c of labels) assert.equal(c.folder, `${c.cluster}-${stages.slug(c.label)}`);
  assert.deepEqual([...folders].sort(), labels.map((c) => c.folder).sort());
  // messages name the actual source
  assert.match(fs.readFileSync(r.executed, 'utf8'), /No external labels for the demo photos/);
});

test('notebook 03 (average faces) draws the mean shape, the warp and writes the averages', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const r = await jupyter.executeNotebook(notebook('03_average_face.ipynb'), { outDir, env: env() });
  const o = jupyter.readOutputs(r.executed);
  checkCommon(o);
  assert.ok((o.counts['image/png'] ?? 0) >= 6, JSON.stringify(o.counts));
  const files = fs.readdirSync(path.join(data, 'processed', 'averages'));
  const json = JSON.parse(fs.readFileSync(path.join(data, 'processed', 'clusters.json'), 'utf8')) as { k: number };
  for (const f of ['global.png', 'grid.png', 'pixel-mean-global.png', ...Array.from({ length: json.k }, (_, i) => `cluster-${i}.png`)]) assert.ok(files.includes(f), `${f} missing`);
  // the morph between two types, and whole heads from the person masks of notebook 02's features stage
  assert.ok(files.some((f) => /^morph-\d+-\d+\.gif$/.test(f)), `no morph GIF among ${files.join(', ')}`);
  assert.ok(fs.readdirSync(path.join(data, 'interim')).some((d) => d.startsWith('masks-selfie-')), 'no person masks');
});

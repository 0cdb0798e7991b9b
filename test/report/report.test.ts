import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { report, runConfig, stages } from 'facetype';

let data = '';
let reports = '';
before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-report-'));
  reports = path.join(data, 'reports');
  const prepared = await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
  await stages.estimatedBias(runConfig({ dataDir: data, source: 'demo' }), prepared, { onProgress: false });
  await stages.runTypesStage(runConfig({ dataDir: data, source: 'demo' }), { bootstrapSamples: 5, onProgress: false });
  await stages.runAveragesStage(runConfig({ dataDir: data, source: 'demo' }));
});
after(() => fs.rmSync(data, { recursive: true, force: true }));

test('buildReport() writes one self-contained index.html: k and why, charts, every cluster with faces and average', { timeout: 300_000 }, async () => {
  const file = await report.buildReport({ dataDir: data, reportsDir: reports });
  const html = fs.readFileSync(file, 'utf8');
  const clusters = JSON.parse(fs.readFileSync(path.join(data, 'processed', 'clusters.json'), 'utf8')) as { k: number; clusters: { label: string }[] };
  assert.match(html, new RegExp(`<h1>${clusters.k} types of faces</h1>`));
  assert.match(html, /Why \d+ clusters/);
  for (const c of clusters.clusters) assert.ok(html.includes(c.label.replace(/&/g, '&amp;')), `label ${c.label} missing`);
  // offline: no external scripts, styles or images
  assert.doesNotMatch(html, /<script[^>]+src="https?:/);
  assert.doesNotMatch(html, /<link[^>]+href="https?:/);
  const imgs = html.match(/<img [^>]*src="([^"]+)"/g) ?? [];
  assert.ok(imgs.length >= clusters.k + 1);
  for (const img of imgs) assert.match(img, /src="data:image\/(jpeg|png|gif);base64,/);
  assert.ok((html.match(/Plotly\.newPlot/g) ?? []).length >= 6);
  // the selection bias on the demo (no metadata): face-api's estimates, with how they were sampled
  assert.match(html, /<h2>Selection bias<\/h2>/);
  assert.match(html, /traits estimated by face-api&#39;s age\/gender net; kept: all \d+; rejected: all \d+/);
  assert.match(html, /<td>estimated gender<\/td><td>(fe)?male<\/td>/);
  assert.ok(html.includes('Plotly'), 'plotly.js inlined');
});

test('buildReport() without a finished run says what to run', async () => {
  await assert.rejects(report.buildReport({ dataDir: path.join(data, 'nothing'), reportsDir: reports }), /the report needs .*prepare\.json: run the three notebooks first \(npm start\)/);
});

test('offlineExport() removes CDN scripts and loads plotly.js from reports/assets', () => {
  const f = path.join(reports, 'x.html');
  fs.mkdirSync(reports, { recursive: true });
  fs.writeFileSync(f, '<html><head><script src="https://cdnjs.cloudflare.com/require.min.js"></script><link rel="stylesheet" href="https://cdn.example/x.css"></head><body>hi</body></html>');
  report.offlineExport(f, reports);
  const html = fs.readFileSync(f, 'utf8');
  assert.doesNotMatch(html, /https?:\/\//);
  assert.match(html, /<script src="assets\/plotly\.min\.js"><\/script>/);
  assert.ok(fs.statSync(path.join(reports, 'assets', 'plotly.min.js')).size > 1e6);
});

/**
 * The report of a run that found too few faces to form types: it still says what the preparation
 * did (the source, the filter funnel, the kept faces) and why there are no types, so that a run
 * on a small or unsuitable folder ends with an answer rather than a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectPaths } from '../config';
import type { FunnelRow } from '../faces/filter';
import { escapeHtml } from '../io/text';
import type { FacesFile } from '../stages/prepare';
import { DataError } from '../validate';
import { dataUri } from './build';

export interface NoTypesReportOptions {
  dataDir?: string;
  reportsDir?: string;
  /** Why there are no types, in one sentence (the clustering's own message). */
  reason: string;
  /** Kept faces shown. */
  facesShown?: number;
}

/** Writes reports/index.html for a run without types; returns its path. Needs notebook 01's outputs. */
export async function buildNoTypesReport(options: NoTypesReportOptions): Promise<string> {
  const paths = projectPaths(options.dataDir);
  const reports = path.resolve(options.reportsDir ?? paths.reports);
  const prepareFile = path.join(paths.processed, 'prepare.json');
  if (!fs.existsSync(prepareFile)) throw new DataError(`the report needs ${prepareFile}: notebook 01 did not finish`);
  const prepare = JSON.parse(fs.readFileSync(prepareFile, 'utf8')) as { source: { label: string; photos: number }; kept: number; funnel: FunnelRow[] };
  const facesFile = path.join(paths.processed, 'faces.json');
  const faces = fs.existsSync(facesFile) ? (JSON.parse(fs.readFileSync(facesFile, 'utf8')) as FacesFile).faces : [];
  const thumbs = await Promise.all(faces.slice(0, options.facesShown ?? 24).map(async (f) => {
    const name = f.name;
    const file = path.join(paths.faces, name);
    return fs.existsSync(file) ? `<img alt="${escapeHtml(name)}" title="${escapeHtml(name)}" src="${await dataUri(file, 96)}">` : '';
  }));
  const funnel = prepare.funnel.map((r) => `<tr><td>${escapeHtml(r.step)}</td><td>${r.removed}</td><td>${r.remaining}</td></tr>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>facetype report: no types</title>
<style>
body { font-family: Inter, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 960px; padding: 24px; color: #222; }
.why { background: #fff4e5; border-left: 6px solid #E45756; padding: 12px 16px; }
table { border-collapse: collapse; } td, th { padding: 4px 12px; border-bottom: 1px solid #ddd; text-align: left; }
img { width: 96px; height: 96px; margin: 2px; border-radius: 4px; }
</style></head><body>
<h1>No types of faces</h1>
<p class="why" id="why"><b>Why:</b> ${escapeHtml(options.reason)}</p>
<p>Source: ${escapeHtml(prepare.source.label)}, ${prepare.source.photos} photos; <b>${prepare.kept}</b> faces kept by the preparation.
Add photos (or loosen the filters) and run again: the preparation's work is cached.</p>
<h2>What each filter removed</h2>
<table><tr><th>step</th><th>removed</th><th>remaining</th></tr>${funnel}</table>
<h2>Kept faces</h2>
<div>${thumbs.join('') || '<p>none</p>'}</div>
<p>Every photo and its reason: <code>${escapeHtml(path.join(paths.processed, 'manifest.csv'))}</code>; details in the executed notebooks in <code>${escapeHtml(reports)}</code>.</p>
</body></html>
`;
  fs.mkdirSync(reports, { recursive: true });
  const out = path.join(reports, 'index.html');
  fs.writeFileSync(out, html);
  return out;
}

/**
 * Charts and sheets of the preparation stage: the filter funnel, the distributions of pose,
 * sharpness and face size with their thresholds, and contact sheets of kept and rejected faces.
 */
import * as path from 'node:path';
import { referencePose, type FilterOptions, type FunnelRow, type ReferencePose, type Verdict } from '../faces/filter';
import type { PrepareResult } from '../stages/prepare';
import type { BiasTable } from '../faces/bias';
import { figure, figureBundle, type Figure, type MimeBundle } from './figure';
import { contactSheet, type SheetTile } from './images';

/** The filter funnel: candidates left after each step, and how many each step removed. */
export function funnelChart(rows: FunnelRow[]): { figure: Figure; bundle: MimeBundle } {
  const steps = rows.filter((r) => r.step !== 'kept');
  const start = steps.length ? steps[0].remaining + steps[0].removed : 0;
  const labels = ['candidates', ...steps.map((r) => r.step), 'kept'];
  const values = [start, ...steps.map((r) => r.remaining), rows[rows.length - 1]?.remaining ?? 0];
  const removed = [0, ...steps.map((r) => r.removed), 0];
  const fig = figure(
    [{
      type: 'funnel',
      y: labels,
      x: values,
      text: values.map((v, i) => (i === 0 ? `${v}` : i === values.length - 1 ? `${v} kept` : removed[i] ? `${v}  (−${removed[i]})` : `${v}`)),
      textinfo: 'text',
      // unusable faces (filters) in red, the ranking cut (usable, not among the best N) in orange
      marker: { color: labels.map((_, i) => (i === labels.length - 1 ? '#54A24B' : !removed[i] ? '#BAB0AC' : steps[i - 1].cut === 'ranking' ? '#F58518' : steps[i - 1].cut === 'unusable' ? '#E45756' : '#9e9e9e')) },
      hovertemplate: '%{y}: %{x} left<extra></extra>',
    }],
    { title: { text: 'Filter funnel: unusable faces removed (red), then the ranking keeps the best N (orange)' }, height: 460, margin: { l: 200, r: 30, t: 50, b: 30 } },
  );
  const total = (cut: string) => rows.filter((r) => r.cut === cut).reduce((a, r) => a + r.removed, 0);
  const summary = [
    ...rows.map((r) => `${r.step.padEnd(28)} removed ${String(r.removed).padStart(6)}  left ${String(r.remaining).padStart(6)}  (${r.cut})`),
    `no usable photo or face: ${total('input')}; unusable faces: ${total('unusable')}; usable but not among the best N: ${total('ranking')}`,
  ].join('\n');
  return { figure: fig, bundle: figureBundle(fig, summary) };
}

function histogram(name: string, values: number[], color: string, opts: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'histogram', name, x: values, opacity: 0.65, marker: { color }, ...opts };
}

function thresholdShapes(xs: number[], axis = 'x'): Record<string, unknown>[] {
  return xs.map((x) => ({ type: 'line', xref: axis, yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color: '#E45756', dash: 'dash', width: 1.5 } }));
}

const fmtQuantiles = (label: string, v: number[]): string => {
  if (!v.length) return `${label}: none`;
  const s = [...v].sort((a, b) => a - b);
  const q = (p: number) => s[Math.floor(p * (s.length - 1))];
  return `${label}: n=${s.length} min ${q(0).toFixed(1)} p25 ${q(0.25).toFixed(1)} median ${q(0.5).toFixed(1)} p75 ${q(0.75).toFixed(1)} max ${q(1).toFixed(1)}`;
};

/** Faces with measures, split into kept and rejected. */
function split(verdicts: Verdict[]): { kept: Verdict[]; rejected: Verdict[] } {
  const withFace = verdicts.filter((v) => v.face);
  return { kept: withFace.filter((v) => v.step === null), rejected: withFace.filter((v) => v.step !== null) };
}

/**
 * Yaw against pitch of every detected face, kept in green, rejected in grey, with the frontal box
 * around the reference pose (by default the source's median, as the filters judged it).
 */
export function poseChart(verdicts: Verdict[], filters: FilterOptions, reference?: ReferencePose): { figure: Figure; bundle: MimeBundle } {
  const { kept, rejected } = split(verdicts);
  const ref = reference ?? referencePose(new Set(verdicts.flatMap((v) => v.photo ?? [])), filters.poseReference);
  const trace = (vs: Verdict[], name: string, color: string) => ({
    type: 'scattergl', mode: 'markers', name, x: vs.map((v) => v.face!.yaw), y: vs.map((v) => v.face!.pitch),
    text: vs.map((v) => `${v.item.id}${v.reason ? ': ' + v.reason : ''}`), hovertemplate: '%{text}<br>yaw %{x:.1f}°, pitch %{y:.1f}°<extra></extra>',
    marker: { size: 4, color, opacity: 0.6 },
  });
  const fig = figure([trace(rejected, `rejected (${rejected.length})`, '#9e9e9e'), trace(kept, `kept (${kept.length})`, '#54A24B')], {
    title: { text: 'Head pose of every detected face' },
    xaxis: { title: { text: 'yaw (°, + = turned to the image right)' }, zeroline: true },
    yaxis: { title: { text: 'pitch (°, + = looking up)' }, zeroline: true, scaleanchor: 'x' },
    shapes: [{ type: 'rect', x0: ref.yaw - filters.maxYaw, x1: ref.yaw + filters.maxYaw, y0: ref.pitch - filters.maxPitch, y1: ref.pitch + filters.maxPitch, line: { color: '#E45756', dash: 'dash' } }],
    height: 440,
  });
  const median = ref.faces > 0 ? `reference pose: the median of ${ref.faces} faces, yaw ${ref.yaw}°, pitch ${ref.pitch}°` : 'reference pose: facing the camera';
  const summary = [median, fmtQuantiles('yaw (kept)', kept.map((v) => v.face!.yaw)), fmtQuantiles('pitch (kept)', kept.map((v) => v.face!.pitch)), fmtQuantiles('yaw (all)', [...kept, ...rejected].map((v) => v.face!.yaw))].join('\n');
  return { figure: fig, bundle: figureBundle(fig, summary) };
}

/** Histograms of blur (re-blur ratio on the photo's pixels) and eye distance, kept vs rejected, with the thresholds. */
export function qualityCharts(verdicts: Verdict[], filters: FilterOptions): { sharpness: { figure: Figure; bundle: MimeBundle }; size: { figure: Figure; bundle: MimeBundle } } {
  const { kept, rejected } = split(verdicts);
  const sharpFig = figure(
    [
      histogram(`rejected (${rejected.length})`, blurs(rejected), '#9e9e9e'),
      histogram(`kept (${kept.length})`, blurs(kept), '#54A24B'),
    ],
    {
      title: { text: 'Blur (re-blur ratio of the face on the photo\'s own pixels; right of the line: clearly blurry)' }, barmode: 'overlay',
      xaxis: { title: { text: 're-blur ratio (0 = crisp, 1 = nothing left to blur)' } }, yaxis: { title: { text: 'faces' } }, shapes: thresholdShapes([filters.maxBlur]),
    },
  );
  const sizeFig = figure(
    [
      histogram(`rejected (${rejected.length})`, rejected.map((v) => v.face!.eyeDistance), '#9e9e9e'),
      histogram(`kept (${kept.length})`, kept.map((v) => v.face!.eyeDistance), '#54A24B'),
    ],
    {
      title: { text: 'Face size: distance between the eyes in the original photo' }, barmode: 'overlay',
      xaxis: { title: { text: 'eye distance (px)' }, type: 'log' }, yaxis: { title: { text: 'faces' } }, shapes: thresholdShapes([Math.log10(Math.max(1, filters.minEyeDistance))]),
    },
  );
  return {
    sharpness: { figure: sharpFig, bundle: figureBundle(sharpFig, [fmtQuantiles('re-blur ratio (kept)', blurs(kept)), fmtQuantiles('re-blur ratio (rejected)', blurs(rejected))].join('\n')) },
    size: { figure: sizeFig, bundle: figureBundle(sizeFig, [fmtQuantiles('eye distance px (kept)', kept.map((v) => v.face!.eyeDistance)), fmtQuantiles('eye distance px (rejected)', rejected.map((v) => v.face!.eyeDistance))].join('\n')) },
  };
}

const blurs = (vs: Verdict[]): number[] => vs.flatMap((v) => (v.face?.blur == null ? [] : [v.face.blur]));

/** A tile for a verdict: the face crop when there is one, else the photo itself. */
function verdictTile(v: Verdict, cropsDir: string, caption: string): SheetTile {
  if (v.face?.crop) return { image: path.join(cropsDir, v.face.crop), caption };
  const failed = v.step === 'unreadable or not an image' || v.step === 'metadata pre-filter';
  return { image: failed ? null : v.item.path, caption };
}

/** Contact sheet of the best kept faces (rank order). */
export async function keptSheet(result: PrepareResult, count = 32, columns = 8): Promise<Buffer> {
  const tiles = result.kept.slice(0, count).map((v, i) => verdictTile(v, result.paths.crops, `#${i + 1} q=${(v.quality as number).toFixed(2)}\n${path.basename(v.item.id)}`));
  return contactSheet(tiles, { columns, tile: 112, title: `Kept faces: the ${tiles.length} best of ${result.kept.length}` });
}

/** Rejected faces or photos grouped by funnel step: up to `perStep` examples of each. */
export async function rejectedSheets(result: PrepareResult, perStep = 8): Promise<{ step: string; count: number; png: Buffer }[]> {
  const byStep = new Map<string, Verdict[]>();
  for (const v of result.verdicts) if (v.step && v.step !== 'not among the best N') (byStep.get(v.step) ?? byStep.set(v.step, []).get(v.step)!).push(v);
  const out: { step: string; count: number; png: Buffer }[] = [];
  for (const [step, vs] of byStep) {
    // spread the examples over the list rather than the first ones only
    const pick = vs.length <= perStep ? vs : Array.from({ length: perStep }, (_, i) => vs[Math.floor((i * vs.length) / perStep)]);
    const tiles = pick.map((v) => verdictTile(v, result.paths.crops, `${(v.reason ?? '').replace(/^[^(]*\(/, '(')}\n${path.basename(v.item.id)}`));
    out.push({ step, count: vs.length, png: await contactSheet(tiles, { columns: perStep, tile: 112, title: `Rejected: ${step} (${vs.length})` }) });
  }
  return out;
}

/**
 * The selection's bias: each group's share among all candidates and among the kept faces (for
 * yes/no attributes, the 'yes' group only), flagged groups in red, with the warnings as text.
 */
export function biasChart(table: BiasTable): { figure: Figure | null; bundle: MimeBundle } {
  const rows = table.rows.filter((r) => r.group !== 'no');
  // never an empty chart: without any trait known there is nothing to draw, say so instead
  if (rows.length === 0) {
    const why = `Selection bias: no trait is known for these candidates (no metadata, no attributes${table.note ? `; ${table.note}` : ''}), so nothing to compare.`;
    return { figure: null, bundle: { 'text/plain': [why, ...table.warnings.map((w) => `warning: ${w}`)].join('\n') } };
  }
  const label = rows.map((r) => (r.group === 'yes' ? r.trait : `${r.trait}: ${r.group}`));
  const fig = figure(
    [
      { type: 'bar', name: `all candidates (${table.candidates})`, x: label, y: rows.map((r) => r.allPct), marker: { color: '#9e9e9e' } },
      {
        type: 'bar', name: `kept (${table.kept})`, x: label, y: rows.map((r) => r.keptPct),
        marker: { color: rows.map((r) => (r.flagged ? '#E45756' : '#54A24B')) },
        text: rows.map((r) => `${r.shift > 0 ? '+' : ''}${r.shift}`), textposition: 'outside',
      },
    ],
    {
      title: { text: 'Selection bias: share of each group among all candidates and among the kept faces' },
      ...(table.note ? { annotations: [{ text: table.note, xref: 'paper', yref: 'paper', x: 0, y: 1.08, showarrow: false, xanchor: 'left', font: { size: 11, color: '#555' } }] } : {}),
      barmode: 'group', yaxis: { title: { text: '% of faces with the trait known' } }, height: 420,
    },
  );
  const text = [
    ...(table.note ? [table.note, ''] : []),
    ...rows.map((r) => `${r.trait.padEnd(16)} ${r.group.padEnd(19)} all ${String(r.allPct).padStart(5)}%  kept ${String(r.keptPct).padStart(5)}%  ${r.shift > 0 ? '+' : ''}${r.shift}${r.flagged ? '  !' : ''}`),
    ...(table.warnings.length ? ['', ...table.warnings.map((w) => `warning: ${w}`)] : ['', 'no group shifted by more than the threshold']),
  ].join('\n');
  return { figure: fig, bundle: figureBundle(fig, text) };
}

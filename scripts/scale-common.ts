/**
 * The scale property of the preparation, shared by npm run bench:scale and its smaller test:
 * prepare some CelebA photos as they are and downscaled to 2/3 (generated into a folder), then
 * compare the share rejected as blurry and the overlap of the kept faces.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { stages, type faces, type runtime } from 'facetype';

/** Writes each file of `files` (names in `src`) downscaled by `factor` to `dst` (same names). */
export async function downscaleFolder(src: string, dst: string, files: string[], factor: number): Promise<void> {
  fs.mkdirSync(dst, { recursive: true });
  for (const f of files) {
    const img = sharp(path.join(src, f));
    const m = await img.metadata();
    await img
      .resize({ width: Math.round((m.width ?? 0) * factor), height: Math.round((m.height ?? 0) * factor), fit: 'fill' })
      .jpeg({ quality: 95 })
      .toFile(path.join(dst, f));
  }
}

export interface ScaleRun {
  label: string;
  photos: number;
  /** Candidates with a measured face, rejected as blurry, and kept. */
  withFace: number;
  blurry: number;
  tooSmall: number;
  kept: Set<string>;
  pose: faces.ReferencePose;
  funnel: faces.FunnelRow[];
}

export interface ScaleComparison {
  runs: [ScaleRun, ScaleRun];
  /** Blurry rejections, percent of the candidates with a face, per run, and the rise (points). */
  blurryPct: [number, number];
  blurryRise: number;
  /** Kept in both over the larger kept set, percent. */
  overlapPct: number;
}

function summarise(label: string, r: stages.PrepareResult): ScaleRun {
  const withFace = r.verdicts.filter((v) => v.face !== null);
  return {
    label,
    photos: r.source.photos,
    withFace: withFace.length,
    blurry: withFace.filter((v) => v.step === 'blurry').length,
    tooSmall: withFace.filter((v) => v.step === 'face too small').length,
    kept: new Set(r.kept.map((v) => v.item.id)),
    pose: r.pose,
    funnel: r.funnel,
  };
}

/** Prepares `files` of `images` as they are and at `factor`, in folders under `work`. */
export async function compareScales(images: string, files: string[], work: string, options: { keep: number; factor?: number; workers?: number | null; onProgress?: runtime.ProgressCallback | false }): Promise<ScaleComparison> {
  const factor = options.factor ?? 2 / 3;
  const original = path.join(work, 'original');
  const small = path.join(work, 'small');
  fs.mkdirSync(original, { recursive: true });
  // the originals by hard link (or copy), so both runs see exactly the chosen files
  for (const f of files) {
    const dst = path.join(original, f);
    if (fs.existsSync(dst)) continue;
    try {
      fs.linkSync(path.join(images, f), dst);
    } catch {
      fs.copyFileSync(path.join(images, f), dst);
    }
  }
  await downscaleFolder(images, small, files.filter((f) => !fs.existsSync(path.join(small, f))), factor);
  const run = async (label: string, folder: string) => summarise(label, await stages.prepareFaces({
    source: folder, keep: options.keep, workers: options.workers ?? null, dataDir: path.join(work, `data-${label}`), onProgress: options.onProgress ?? false,
  }));
  const a = await run('original', original);
  const b = await run('small', small);
  const pct = (x: number, n: number) => Math.round((1000 * x) / Math.max(1, n)) / 10;
  const blurryPct: [number, number] = [pct(a.blurry, a.withFace), pct(b.blurry, b.withFace)];
  const both = [...a.kept].filter((id) => b.kept.has(id)).length;
  return {
    runs: [a, b],
    blurryPct,
    blurryRise: Math.round((blurryPct[1] - blurryPct[0]) * 10) / 10,
    overlapPct: pct(both, Math.max(a.kept.size, b.kept.size)),
  };
}

/** The comparison as printable lines. */
export function formatComparison(c: ScaleComparison, factor = 2 / 3): string[] {
  const [a, b] = c.runs;
  return [
    `photos                      ${a.photos}`,
    `faces measured              ${a.withFace} (original)  ${b.withFace} (x${factor.toFixed(2)})`,
    `rejected as blurry          ${c.blurryPct[0]}%  ${c.blurryPct[1]}%  (rise ${c.blurryRise} points; must be <= 5)`,
    `rejected as too small       ${a.tooSmall}  ${b.tooSmall}`,
    `kept                        ${a.kept.size}  ${b.kept.size}`,
    `kept in both                ${c.overlapPct}% of the larger kept set (must be >= 80)`,
    `median pose (yaw, pitch)    ${a.pose.yaw}, ${a.pose.pitch}  |  ${b.pose.yaw}, ${b.pose.pitch}`,
  ];
}

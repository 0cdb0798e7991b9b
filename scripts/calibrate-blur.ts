/**
 * Calibration of the blur rejection on CelebA: for every photo measured by a preparation (its
 * records.jsonl gives the eye-alignment transform), the old measure (Laplacian variance on the
 * 256 px crop) and the scale-aware one (re-blur ratio on the photo's own pixels), on the photo as
 * is and downscaled to 2/3, written as a CSV with CelebA's identity and `Blurry` label. No
 * detection runs: the transform is scaled with the photo.
 *
 * --refs lists the reference eye distances to try (faces larger are shrunk to it before measuring).
 *
 *   node build/scripts/calibrate-blur.js --records <records.jsonl> [--out blur.csv] [--limit N] [--refs 40,27,20]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, io, stages } from 'facetype';
import { arg, celebaImages } from './bench-common';

async function rgb(buf: Buffer | string, scale: number): Promise<faces.RgbImage> {
  let p = sharp(buf);
  if (scale !== 1) {
    const m = await sharp(buf).metadata();
    p = p.resize({ width: Math.round((m.width ?? 0) * scale), height: Math.round((m.height ?? 0) * scale), fit: 'fill' });
  }
  const { data, info } = await p.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const recordsFile = arg('records');
  if (!recordsFile) throw new Error('--records <records.jsonl> is required');
  const out = arg('out') ?? 'blur-calibration.csv';
  const limit = Number(arg('limit') ?? Infinity);
  const refs = (arg('refs') ?? String(faces.NATIVE_SHARPNESS_DEFAULTS.referenceEyeDistance)).split(',').map(Number);
  const attrs = io.parseCsv(fs.readFileSync(path.join(images, '..', 'attributes.csv'), 'utf8')).rows;
  const byFile = new Map(attrs.map((r) => [r.file, r]));
  const t = faces.DEFAULT_TEMPLATE;
  const region = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  const rows: Record<string, string | number>[] = [];
  const records = [...stages.readRecords(recordsFile).values()].filter((r) => r.status === 'ok' && r.faces.length > 0);
  for (const rec of records.slice(0, limit)) {
    const a = byFile.get(path.basename(rec.path));
    if (!a) continue;
    const f = rec.faces[0];
    const row: Record<string, string | number> = { file: path.basename(rec.path), identity: a.identity, blurry: a.Blurry, eye_distance: f.eyeDistance, yaw: f.yaw, pitch: f.pitch };
    for (const [tag, s] of [['', 1], ['_23', 2 / 3]] as const) {
      const img = await rgb(rec.path, s);
      const toCrop = f.transform.map((v, i) => (i === 2 || i === 5 ? v : v / s)) as faces.Affine;
      const crop = faces.warpAffine(img, toCrop, { width: t.size, height: t.size });
      row[`crop_lap${tag}`] = Math.round(faces.measureQuality(crop, region).sharpness * 100) / 100;
      const box = faces.regionInPhoto(faces.invertAffine(toCrop), region, img.width, img.height);
      for (const ref of refs) {
        const n = faces.nativeSharpness(img, box, f.eyeDistance * s, { referenceEyeDistance: ref });
        row[`blur${ref}${tag}`] = Math.round(n.blur * 10000) / 10000;
        row[`reblur${ref}${tag}`] = Math.round(n.reblur * 10000) / 10000;
        row[`lap${ref}${tag}`] = Math.round(n.laplacian * 100) / 100;
      }
    }
    rows.push(row);
  }
  fs.writeFileSync(out, io.formatCsv(Object.keys(rows[0]), rows));
  console.log(`${rows.length} faces written to ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

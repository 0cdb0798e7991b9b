/**
 * Calibration of the blur rejection on CelebA: for every photo measured by a preparation (its
 * records.jsonl gives the eye-alignment transform), the old measure (Laplacian variance on the
 * 256 px crop) and the scale-aware one (re-blur ratio on the photo's own pixels), on the photo as
 * is and downscaled to 2/3, written as a CSV with CelebA's identity and `Blurry` label. No
 * detection runs: the transform is scaled with the photo.
 *
 * --refs lists the reference eye distances to try (faces larger are shrunk to it before measuring).
 *
 * With --manifest (the same run's manifest.csv), the run is also judged again with today's filters
 * on its own measurements plus the new blur measure and crop share outside the photo (no
 * detection): the funnel, the blur rejection's precision and recall against `Blurry` on the
 * held-out half of the identities (odd ids; thresholds were tuned on the even ones), and the
 * selection-bias table, before (the manifest) and after.
 *
 *   node build/scripts/calibrate-blur.js --records <records.jsonl> [--out blur.csv] [--limit N] [--refs 40,27,20]
 *     [--manifest <manifest.csv>] [--keep 9000]
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
  const manifest = arg('manifest');
  if (manifest) await rejudge(records.slice(0, limit), manifest, byFile, Number(arg('keep') ?? 9000));
}

/** Precision and recall (percent) of a rejection against the Blurry label, on the held-out identities. */
function blurScore(rejected: (file: string) => boolean, byFile: Map<string, Record<string, string>>, files: string[]): string {
  const held = files.filter((f) => Number(byFile.get(f)?.identity) % 2 === 1);
  const rej = held.filter(rejected);
  const tp = rej.filter((f) => byFile.get(f)?.Blurry === '1').length;
  const pos = held.filter((f) => byFile.get(f)?.Blurry === '1').length;
  return `rejected ${rej.length} of ${held.length} held-out photos (${((100 * rej.length) / held.length).toFixed(1)}%), precision ${((100 * tp) / Math.max(1, rej.length)).toFixed(1)}%, recall ${((100 * tp) / Math.max(1, pos)).toFixed(1)}% (${pos} labelled Blurry)`;
}

function printBias(title: string, samples: faces.TraitSample[]): void {
  const t = faces.selectionBias(samples);
  console.log(`\n${title}: ${t.candidates} candidates, ${t.kept} kept`);
  for (const r of t.rows.filter((x) => x.group !== 'no')) console.log(`  ${r.trait.padEnd(12)} all ${String(r.allPct).padStart(5)}%  kept ${String(r.keptPct).padStart(5)}%  ${r.shift > 0 ? '+' : ''}${r.shift}${r.flagged ? '  WARNING' : ''}`);
}

async function rejudge(records: faces.PhotoRecord[], manifestFile: string, byFile: Map<string, Record<string, string>>, keep: number): Promise<void> {
  const t = faces.DEFAULT_TEMPLATE;
  const region = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  const byId = new Map<string, faces.PhotoRecord>();
  for (const rec of records) {
    const img = await rgb(rec.path, 1);
    const faceList = rec.faces.map((f) => {
      const toPhoto = faces.invertAffine(f.transform);
      const n = faces.nativeSharpness(img, faces.regionInPhoto(toPhoto, region, img.width, img.height), f.eyeDistance);
      const outside = 1 - faces.insideShare(toPhoto, [0, 0, t.size, t.size], img.width, img.height);
      return { ...f, blur: Number.isFinite(n.blur) ? n.blur : null, outside };
    });
    byId.set(rec.id, { ...rec, faces: faceList });
  }
  const items = records.map((r) => ({ id: r.id, path: r.path }));
  const verdicts = faces.judge(items, byId);
  const kept = faces.selectBest(verdicts, keep);
  const before = io.parseCsv(fs.readFileSync(manifestFile, 'utf8')).rows.filter((r) => byId.has(r.photo));
  const files = items.map((i) => path.basename(i.id));
  console.log(`\n== CelebA judged again (${items.length} photos, keep ${keep}): funnel before -> after`);
  const beforeCount = (step: string) => before.filter((r) => r.step === step).length;
  for (const row of faces.funnel(verdicts)) {
    const b = row.step === 'kept' ? before.filter((r) => r.status === 'kept').length : beforeCount(row.step);
    const a = row.step === 'kept' ? row.remaining : row.removed;
    console.log(`  ${row.step.padEnd(28)} ${String(b).padStart(6)} -> ${String(a).padStart(6)}  (${row.cut})`);
  }
  const pose = faces.referencePose(byId.values());
  console.log(`  reference pose: median yaw ${pose.yaw}°, pitch ${pose.pitch}° over ${pose.faces} faces`);
  const stepBefore = new Map(before.map((r) => [path.basename(r.photo), r.step]));
  const stepAfter = new Map(verdicts.map((v) => [path.basename(v.item.id), v.step]));
  console.log('\nblur rejection against Blurry, held-out identities:');
  console.log(`  before (crop Laplacian variance < 25): ${blurScore((f) => stepBefore.get(f) === 'blurry', byFile, files)}`);
  console.log(`  after (re-blur ratio > ${faces.FILTER_DEFAULTS.maxBlur}):        ${blurScore((f) => stepAfter.get(f) === 'blurry', byFile, files)}`);
  const columns = ['Male', 'Young', 'Pale_Skin', 'Gray_Hair', 'Eyeglasses', 'Smiling', 'Wearing_Hat', 'Blurry'];
  const traits = (f: string) => faces.traitsFromAttributes(Object.fromEntries(columns.map((c) => [c, Number(byFile.get(f)?.[c])])), columns);
  const keptAfter = new Set(kept.map((v) => path.basename(v.item.id)));
  printBias('selection bias before', before.map((r) => ({ kept: r.status === 'kept', traits: traits(path.basename(r.photo)) })));
  printBias('selection bias after', files.map((f) => ({ kept: keptAfter.has(f), traits: traits(f) })));
  const out = verdicts.filter((v) => v.face && v.face.outside > 0);
  console.log(`\ncrops leaving the photo: ${out.length} of ${verdicts.filter((v) => v.face).length} candidates, ${kept.filter((v) => v.face!.outside > 0).length} kept; largest share outside ${Math.max(0, ...out.map((v) => v.face!.outside)).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * node build/scripts/bench-segment.js --data <prepared data folder> [--n 200] [--out dir]
 *
 * Compares the person segmentation nets (selfie, meet, rvm) on prepared CelebA crops:
 *  - cost per face (ms in the net on its runtime: onnxruntime-node for selfie and meet when it loads, else tfjs; after 3 warm-up faces);
 *  - face coverage: the mean alpha inside the FaceMesh hull (the face must be all person);
 *  - IoU of the thresholded mask (alpha >= 0.5) with the hull inside the hull's bounding box
 *    (hair and neck outside the hull but inside the box lower it: a relative number);
 *  - background leak: the mean alpha in the top corners of the crop (8% squares);
 * and writes a sheet of masks on hard cases chosen from CelebA's labels (blond hair on a light
 * background, hats, grey hair): crop, then each net's mask over the crop in red.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { average, faces, projectPaths, runtime, stages } from 'facetype';
import { arg, machine } from './bench-common';

const MODELS = ['selfie', 'meet', 'rvm'] as const;

/** 1 inside the convex hull of the points (either orientation), else 0. */
function hullMask(points: Float32Array, size: number): Uint8Array {
  const hull = average.convexHull(points);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let pos = 0;
      let neg = 0;
      for (let k = 0; k < hull.length; k++) {
        const i = hull[k];
        const j = hull[(k + 1) % hull.length];
        const cross = (points[2 * j] - points[2 * i]) * (y - points[2 * i + 1]) - (points[2 * j + 1] - points[2 * i + 1]) * (x - points[2 * i]);
        if (cross > 0) pos++;
        else if (cross < 0) neg++;
      }
      out[y * size + x] = pos === 0 || neg === 0 ? 1 : 0;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const data = arg('data');
  if (!data || !fs.existsSync(data)) {
    console.log('benchmark skipped: pass --data <a prepared data folder>');
    return;
  }
  const n = Number(arg('n') ?? 200);
  if (!(n >= 0)) throw new Error(`--n must be a number >= 0, got ${arg('n')}`);
  const out = path.resolve(arg('out') ?? path.join(data, 'segment-bench'));
  fs.mkdirSync(out, { recursive: true });
  const prepared = stages.loadPrepared(projectPaths(data));
  const size = prepared.file.cropSize;
  const { tf, info } = await runtime.initBackend();
  console.log(`machine ${machine()}, backend ${info.name}${info.simd ? ' (SIMD)' : ''}, load ${require('node:os').loadavg().map((v: number) => v.toFixed(1)).join(' ')}`);
  // CelebA labels for the hard cases
  const attrFile = arg('attributes') ?? path.join(prepared.file.source.root, '..', 'attributes.csv');
  const labels = new Map<string, Record<string, number>>();
  if (fs.existsSync(attrFile)) {
    const [head, ...rows] = fs.readFileSync(attrFile, 'utf8').trim().split('\n');
    const cols = head.split(',');
    for (const r of rows) {
      const v = r.split(',');
      labels.set(v[0], Object.fromEntries(cols.map((c, i) => [c, Number(v[i])])));
    }
  }
  // hard cases first (from the labels, over all faces), then an even sample
  const photoOf = (i: number) => path.basename(prepared.file.faces[i].photo);
  const topRowBrightness = async (i: number) => {
    const row = await sharp(prepared.images[i]).extract({ left: 0, top: 0, width: size, height: 4 }).removeAlpha().raw().toBuffer();
    return row.reduce((s: number, v: number) => s + v, 0) / row.length;
  };
  const cases: { name: string; pick: (i: number) => Promise<boolean> }[] = [
    { name: 'blond, light background', pick: async (i) => labels.get(photoOf(i))?.Blond_Hair === 1 && (await topRowBrightness(i)) > 170 },
    { name: 'hat', pick: async (i) => labels.get(photoOf(i))?.Wearing_Hat === 1 },
    { name: 'grey hair', pick: async (i) => labels.get(photoOf(i))?.Gray_Hair === 1 },
  ];
  const hard: { name: string; faces: number[] }[] = [];
  for (const c of cases) {
    const found: number[] = [];
    for (let i = 0; i < prepared.images.length && found.length < 3; i++) if (await c.pick(i)) found.push(i);
    hard.push({ name: c.name, faces: found });
    console.log(`hard case '${c.name}': ${found.length} faces`);
  }
  const even = Array.from({ length: n }, (_, i) => Math.floor((i * prepared.images.length) / Math.max(1, n)));
  const idx = [...hard.flatMap((h) => h.faces), ...even];
  const crops = await Promise.all(idx.map(async (i) => (await sharp(prepared.images[i]).removeAlpha().raw().toBuffer())));
  const masks: Record<string, Uint8Array[]> = {};
  for (const m of MODELS) {
    const seg = await faces.PersonSegmenter.load(tf, m);
    const count = m === 'rvm' ? Math.min(60, idx.length) : idx.length;
    let ms = 0;
    let cover = 0;
    let iou = 0;
    let leak = 0;
    masks[m] = [];
    for (let k = 0; k < count; k++) {
      const t0 = performance.now();
      const mask = await seg.segment({ data: crops[k], width: size, height: size });
      if (k >= 3) ms += performance.now() - t0;
      masks[m].push(mask.data);
      const mesh = prepared.mesh468.subarray(idx[k] * 936, (idx[k] + 1) * 936);
      const hull = hullMask(mesh, size);
      let x0 = size, x1 = 0, y0 = size, y1 = 0;
      for (let i = 0; i < 468; i++) {
        x0 = Math.min(x0, mesh[2 * i]); x1 = Math.max(x1, mesh[2 * i]);
        y0 = Math.min(y0, mesh[2 * i + 1]); y1 = Math.max(y1, mesh[2 * i + 1]);
      }
      let inHull = 0, hullN = 0, inter = 0, uni = 0;
      for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(size - 1, Math.ceil(y1)); y++) {
        for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(size - 1, Math.ceil(x1)); x++) {
          const a = mask.data[y * size + x];
          const h = hull[y * size + x];
          const p = a >= 128 ? 1 : 0;
          if (h) { inHull += a / 255; hullN++; }
          if (h && p) inter++;
          if (h || p) uni++;
        }
      }
      cover += inHull / Math.max(1, hullN);
      iou += inter / Math.max(1, uni);
      const c = Math.round(size * 0.08);
      let corner = 0;
      for (let y = 0; y < c; y++) for (let x = 0; x < c; x++) corner += mask.data[y * size + x] + mask.data[y * size + size - 1 - x];
      leak += corner / (2 * c * c * 255);
    }
    console.log(`${m.padEnd(7)} ${(ms / (count - 3)).toFixed(1).padStart(7)} ms/face  coverage ${(cover / count).toFixed(3)}  IoU(box) ${(iou / count).toFixed(3)}  corner leak ${(leak / count).toFixed(3)}  (${count} faces, ${seg.runtime})`);
  }
  const tiles: average.GridTile[] = [];
  let k0 = 0;
  for (const c of hard) {
    for (const k of c.faces.map((_, j) => k0 + j)) {
      tiles.push({ image: { data: crops[k], width: size, height: size, channels: 3 }, label: c.name });
      for (const m of MODELS) {
        const over = new Uint8Array(crops[k]);
        for (let p = 0; p < size * size; p++) {
          // the person as is, the background half way to red
          const b = (1 - masks[m][k][p] / 255) / 2;
          over[3 * p] = Math.round((1 - b) * over[3 * p] + b * 255);
          over[3 * p + 1] = Math.round((1 - b) * over[3 * p + 1]);
          over[3 * p + 2] = Math.round((1 - b) * over[3 * p + 2]);
        }
        tiles.push({ image: { data: over, width: size, height: size, channels: 3 }, label: m });
      }
    }
    k0 += c.faces.length;
  }
  if (tiles.length) {
    const file = path.join(out, 'segment-hard-cases.png');
    fs.writeFileSync(file, await average.gridImage(tiles, { columns: 4, tileSize: 160, title: 'Person masks on hard cases (background tinted red)' }));
    console.log(`sheet ${file}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

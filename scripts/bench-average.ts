/**
 * Benchmark of the average stage: 9,000 synthetic 256x256 JPEG crops in 10 groups, all cluster
 * averages plus the global one, on the worker pool. Prints seconds, faces/s and peak RSS.
 *
 *   npx tsc -p tsconfig.test.json && node build/scripts/bench-average.js [options]
 *     --n 9000          faces
 *     --groups 10       groups (clusters)
 *     --points 468      468 (MediaPipe mesh) or 68 (iBUG) landmarks
 *     --workers N       worker threads (default: one per core)
 *     --dir DIR         data folder (default: $TMPDIR/facetype-bench-average), reused when present
 *     --regen           regenerate the data
 *
 * The crops are made from one real face (the left face of face-api's demo/sample1.jpg), aligned
 * so its eyes sit at the template positions, then warped onto per-face landmark sets: a template
 * (the MediaPipe canonical face's UV layout from @vladmandic/human) deformed per group (wider or
 * longer lower face) and per face (small pose changes and landmark noise), tinted per group.
 * About 1% of the landmark sets are broken on purpose (NaN, swapped eyes, mirrored jaw) to
 * exercise the skip counts. Everything is written under the data folder, never in the repo.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { average } from 'facetype';
import { gaussian, random, template68 } from '../test/average/helpers';

const S = 256;
/** Eye centres of the crop template (fractions of the crop side). */
const EYES = { left: [0.35, 0.42], right: [0.65, 0.42] } as const;
const VERSION = 2;

interface Args {
  n: number;
  groups: number;
  points: 68 | 468;
  workers: number | undefined;
  dir: string;
  regen: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { n: 9000, groups: 10, points: 468, workers: undefined, dir: path.join(os.tmpdir(), 'facetype-bench-average'), regen: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--n') a.n = Number(v), i++;
    else if (k === '--groups') a.groups = Number(v), i++;
    else if (k === '--points') a.points = Number(v) === 68 ? 68 : 468, i++;
    else if (k === '--workers') a.workers = Number(v), i++;
    else if (k === '--dir') a.dir = path.resolve(v), i++;
    else if (k === '--regen') a.regen = true;
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const root = path.resolve(__dirname, '..', '..');

/** The MediaPipe canonical face (UV468) and the 68-point subset (VTX68) from @vladmandic/human. */
function humanLayout(): { uv: number[]; vtx68: number[] } | null {
  const file = path.join(root, 'node_modules/@vladmandic/human/src/face/facemeshcoords.ts');
  if (!fs.existsSync(file)) return null;
  const src = fs.readFileSync(file, 'utf8');
  const uvText = /export const UV468[^=]*=\s*\[([\s\S]*?)\n\];/.exec(src)?.[1];
  const vtxText = /export const VTX68[^=]*=\s*\[([\s\S]*?)\];/.exec(src)?.[1];
  if (!uvText || !vtxText) return null;
  const uv = (uvText.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
  const vtx68 = (vtxText.replace(/\/\*.*?\*\//g, '').match(/\d+/g) ?? []).map(Number);
  return uv.length === 936 && vtx68.length === 68 ? { uv, vtx68 } : null;
}

/** The landmark template in crop pixels, eyes at EYES. */
function template(points: 68 | 468): Float32Array {
  const human = humanLayout();
  if (!human) {
    if (points === 468) throw new Error('468-point template needs @vladmandic/human; use --points 68');
    return template68(S);
  }
  const { uv, vtx68 } = human;
  const mid = (i: number, j: number) => [(uv[2 * i] + uv[2 * j]) / 2, (uv[2 * i + 1] + uv[2 * j + 1]) / 2];
  const el = mid(33, 133);
  const er = mid(263, 362);
  // the UV layout is a texture unwrapped around a cylinder: its sides are stretched. Project it
  // back to a frontal view (u - 0.5 is an arc of about +-80 degrees)
  const k = 2.8;
  const xs = (u: number) => 0.5 + Math.sin((u - 0.5) * k) / k;
  const scale = ((EYES.right[0] - EYES.left[0]) * S) / (xs(er[0]) - xs(el[0]));
  const full = new Float32Array(936);
  for (let i = 0; i < 468; i++) {
    full[2 * i] = EYES.left[0] * S + (xs(uv[2 * i]) - xs(el[0])) * scale;
    full[2 * i + 1] = EYES.left[1] * S + (uv[2 * i + 1] - el[1]) * scale;
  }
  if (points === 468) return full;
  return Float32Array.from(vtx68.flatMap((i) => [full[2 * i], full[2 * i + 1]]));
}

/** The base crop: sample1.jpg's left face, similarity-aligned so its eyes land at EYES. */
async function baseCrop(): Promise<average.RgbImage> {
  const file = path.join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // eye centres in the photo, read off a zoomed view
  const ol = [445, 454];
  const or = [517.5, 457.5];
  const ql = [EYES.left[0] * S, EYES.left[1] * S];
  const qr = [EYES.right[0] * S, EYES.right[1] * S];
  // complex similarity o = a q + b
  const dq = [qr[0] - ql[0], qr[1] - ql[1]];
  const dO = [or[0] - ol[0], or[1] - ol[1]];
  const den = dq[0] ** 2 + dq[1] ** 2;
  const ar = (dO[0] * dq[0] + dO[1] * dq[1]) / den;
  const ai = (dO[1] * dq[0] - dO[0] * dq[1]) / den;
  const out = new Uint8Array(S * S * 3);
  const W = info.width;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const u = x - ql[0];
      const v = y - ql[1];
      const sx = Math.min(W - 1.001, Math.max(0, ol[0] + ar * u - ai * v));
      const sy = Math.min(info.height - 1.001, Math.max(0, ol[1] + ai * u + ar * v));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const g = (xx: number, yy: number) => data[(yy * W + xx) * 3 + c];
        out[(y * S + x) * 3 + c] = Math.round(
          (1 - fx) * (1 - fy) * g(x0, y0) + fx * (1 - fy) * g(x0 + 1, y0) + (1 - fx) * fy * g(x0, y0 + 1) + fx * fy * g(x0 + 1, y0 + 1),
        );
      }
    }
  }
  return { data: out, width: S, height: S, channels: 3 };
}

/** A group's (or a face's) shape change: wider/narrower and longer/shorter lower face. */
function deform(p: Float32Array, widen: number, lengthen: number): Float32Array {
  const eyeY = EYES.left[1] * S;
  let chin = 0;
  for (let i = 1; i < p.length; i += 2) chin = Math.max(chin, p[i]);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 2) {
    const t = Math.max(0, Math.min(1, (p[i + 1] - eyeY) / (chin - eyeY)));
    out[i] = S / 2 + (p[i] - S / 2) * (1 + widen * t);
    out[i + 1] = p[i + 1] > eyeY ? eyeY + (p[i + 1] - eyeY) * (1 + lengthen) : p[i + 1];
  }
  return out;
}

interface Dataset {
  files: string[];
  points: Float32Array;
  groups: Uint8Array;
  pointCount: number;
}

async function generate(a: Args, tpl: Float32Array): Promise<Dataset> {
  const faceDir = path.join(a.dir, `faces-${a.points}`);
  const metaFile = path.join(a.dir, `meta-${a.points}.json`);
  const pointsFile = path.join(a.dir, `points-${a.points}.f32`);
  const groupsFile = path.join(a.dir, `groups-${a.points}.u8`);
  const files = Array.from({ length: a.n }, (_, i) => path.join(faceDir, `face-${String(i).padStart(5, '0')}.jpg`));
  const P = tpl.length / 2;
  if (!a.regen && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { n: number; groups: number; version: number };
    if (meta.n === a.n && meta.groups === a.groups && meta.version === VERSION && files.every((f) => fs.existsSync(f))) {
      const buf = fs.readFileSync(pointsFile);
      const points = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      return { files, points, groups: new Uint8Array(fs.readFileSync(groupsFile)), pointCount: P };
    }
  }
  fs.mkdirSync(faceDir, { recursive: true });
  const t0 = performance.now();
  const base = await baseCrop();
  await sharp(base.data, { raw: { width: S, height: S, channels: 3 } }).png().toFile(path.join(a.dir, 'base-crop.png'));
  // the base crop with its template landmarks, once, for a visual check of the template fit
  fs.writeFileSync(path.join(a.dir, `base-template-${a.points}.png`), await average.drawShape(base, tpl, { scale: 2 }));
  const rnd = random(2024);
  const g = gaussian(rnd);
  const groupParams = Array.from({ length: a.groups }, (_, k) => ({
    widen: (k % 5 - 2) * 0.05,
    lengthen: (Math.floor(k / 5) - 0.5) * 0.08,
    tint: [1 + 0.12 * g(), 1 + 0.12 * g(), 1 + 0.12 * g()],
  }));
  const points = new Float32Array(a.n * 2 * P);
  const groups = new Uint8Array(a.n);
  // the landmark sets the images are warped to (the template, deformed) and the ones stored
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < a.n; i++) {
    const k = Math.floor(rnd() * a.groups);
    groups[i] = k;
    const gp = groupParams[k];
    let p = deform(tpl, gp.widen + 0.03 * g(), gp.lengthen + 0.03 * g());
    // a small residual pose (the crops are eye-aligned) and landmark noise
    const ang = 0.015 * g();
    const sc = 1 + 0.02 * g();
    const tx = 1.5 * g();
    const ty = 1.5 * g();
    const cx = S / 2;
    const cy = EYES.left[1] * S;
    p = p.map((_, j) => {
      const x = p[j - (j % 2)] - cx;
      const y = p[j - (j % 2) + 1] - cy;
      return j % 2 === 0 ? cx + sc * (Math.cos(ang) * x - Math.sin(ang) * y) + tx : cy + sc * (Math.sin(ang) * x + Math.cos(ang) * y) + ty;
    });
    const mesh = average.triangulate(p, { width: S });
    const warped = average.warpImage(base, tpl, mesh);
    const bright = 1 + 0.06 * g();
    const px = new Uint8Array(S * S * 3);
    for (let j = 0; j < px.length; j++) px[j] = Math.max(0, Math.min(255, Math.round(warped.data[j] * gp.tint[j % 3] * bright)));
    const stored = p.map((v) => v + 0.6 * g());
    const r = rnd();
    if (r < 0.004) stored[10] = NaN;
    else if (r < 0.008) {
      const eyes = average.eyeIndices(P)!;
      for (let e = 0; e < eyes.imageLeft.length; e++) {
        const li = eyes.imageLeft[e];
        const ri = eyes.imageRight[e];
        [stored[2 * li], stored[2 * ri]] = [stored[2 * ri], stored[2 * li]];
      }
    } else if (r < 0.011) {
      // lower face mirrored: crossed geometry
      for (let j = 0; j < stored.length; j += 2) if (stored[j + 1] > EYES.left[1] * S + 30) stored[j] = S - stored[j];
    }
    points.set(stored, i * 2 * P);
    const job = sharp(px, { raw: { width: S, height: S, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(files[i])
      .then(() => undefined);
    const tracked: Promise<void> = job.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    if (inflight.size >= 8) await Promise.race(inflight);
    if ((i + 1) % 1000 === 0) process.stdout.write(`  generated ${i + 1}/${a.n}\n`);
  }
  await Promise.all(inflight);
  fs.writeFileSync(pointsFile, Buffer.from(points.buffer));
  fs.writeFileSync(groupsFile, Buffer.from(groups));
  fs.writeFileSync(metaFile, JSON.stringify({ n: a.n, groups: a.groups, points: a.points, version: VERSION }));
  console.log(`generated ${a.n} crops in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${a.dir}`);
  return { files, points, groups, pointCount: P };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const tpl = template(a.points);
  const data = await generate(a, tpl);
  const P = data.pointCount;
  // plain inputs: a path, a view on the landmark file (averageFaces copies it), a group
  const faces: average.FaceInput[] = data.files.map((image, i) => ({
    image,
    points: data.points.subarray(i * 2 * P, (i + 1) * 2 * P),
    group: data.groups[i],
  }));
  const load = os.loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await average.averageFaces(faces, { groups: a.groups, workers: a.workers });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`averaged ${result.seen} faces (${P} points, ${a.groups} groups + global) in ${seconds.toFixed(2)} s`);
  console.log(`  ${(result.seen / seconds).toFixed(0)} faces/s, peak RSS ${maxRssMb.toFixed(0)} MB, used ${result.used}, skipped ${average.formatSkips(result.skipped)}`);
  // CPU time of all threads: what the run costs regardless of other load on the machine
  console.log(`  CPU ${cpuSeconds.toFixed(1)} s (all threads; ${(cpuSeconds / os.availableParallelism()).toFixed(1)} s per core), load average before the run ${load.toFixed(2)}`);
  console.log(`  group counts: ${result.groups.map((g) => g.count).join(' ')}`);
  if (result.warnings.length) console.log(`  warnings: ${result.warnings.join('; ')}`);
  const out = path.join(a.dir, `out-${P}`);
  const files = await average.saveAverages(result, out);
  fs.writeFileSync(path.join(out, 'mean-shape-over-average.png'), await average.drawShape(result.global.average, result.global.mesh));
  fs.writeFileSync(path.join(out, 'mesh.png'), await average.drawMesh(result.global.mesh));
  fs.writeFileSync(path.join(out, 'warp-comparison.png'), await average.warpComparison(faces[0], result.groups[data.groups[0]].mesh));
  console.log(`  wrote ${files.length + 3} PNGs to ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * Where the preparation's time goes, per photo, in one thread (as in one worker): decode, the
 * detector (input warp, network), the mesh (input warps, network) and the rest of the measures
 * (alignment warp, quality measures, crop JPEG). CPU time from process.cpuUsage, wall time beside.
 * Prints figures; asserts nothing.
 *
 *   node build/scripts/profile-prep.js [--images <folder>] [--limit 200] [--batch 8] [--onnx auto|off] [--repeat 2] [--det-chunk N] [--mesh-chunk N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, runtime } from 'facetype';
import { FaceDetector } from 'facetype/dist/faces/detector';
import { measurePhotos, type MeasureTask } from 'facetype/dist/faces/measure';
import { arg, celebaImages } from './bench-common';


/** CPU and wall ms of an async step. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
}

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const limit = Number(arg('limit') ?? 200);
  const batch = Number(arg('batch') ?? 8);
  const repeat = Number(arg('repeat') ?? 2);
  const onnx = arg('onnx') === 'off' ? 'off' : 'auto';
  sharp.concurrency(1);
  sharp.cache(false);
  const files = fs.readdirSync(images).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, limit).map((f) => path.join(images, f));
  const { tf, info } = await runtime.initBackend({});
  const detector = await FaceDetector.load(tf, {}, { onnx });
  if (arg('det-chunk')) detector.chunk.detector = Number(arg('det-chunk'));
  if (arg('mesh-chunk')) detector.chunk.mesh = Number(arg('mesh-chunk'));
  console.log(`profile-prep: ${files.length} photos, batches of ${batch}, network chunks ${JSON.stringify(detector.chunk)}, nets on ${detector.runtime === 'tfjs' ? runtime.describeBackend(info) : detector.runtime}`);
  const cropDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-profile-prep-'));
  const tasks: MeasureTask[] = files.map((f, i) => ({
    key: String(i), id: path.basename(f), path: f, cropDir, cropBase: `p${i}`, facesPerPhoto: 'single',
    template: faces.DEFAULT_TEMPLATE, decode: {}, jpegQuality: 94,
  }));
  for (let r = 0; r < repeat; r++) {
    const sum = { decode: 0, decodeWall: 0, detect: 0, detectWall: 0, total: 0, totalWall: 0 };
    for (const k of Object.keys(detector.timing) as (keyof typeof detector.timing)[]) detector.timing[k] = 0;
    let facesFound = 0;
    for (let i = 0; i < tasks.length; i += batch) {
      const part = tasks.slice(i, i + batch);
      const dec = await timed(() => Promise.all(part.map((t) => faces.decodePhoto(t.path))));
      const imgs = dec.value.flatMap((d) => (d.ok ? [d.image] : []));
      const det = await timed(() => detector.detectBatch(imgs));
      facesFound += det.value.reduce((n, f) => n + f.length, 0);
      const all = await timed(() => measurePhotos(detector, part));
      sum.decode += dec.cpu;
      sum.decodeWall += dec.wall;
      sum.detect += det.cpu;
      sum.detectWall += det.wall;
      sum.total += all.cpu;
      sum.totalWall += all.wall;
    }
    const n = tasks.length;
    const t = detector.timing; // accumulated over both detectBatch calls per batch: halve
    const per = (v: number): string => (v / n).toFixed(2).padStart(6);
    console.log(`\nround ${r + 1}: ${facesFound} faces; per photo, ms (CPU | wall)`);
    console.log(`  decode                 ${per(sum.decode)} | ${per(sum.decodeWall)}`);
    console.log(`  detection + mesh       ${per(sum.detect)} | ${per(sum.detectWall)}`);
    console.log(`    detector input warp           ${per(t.detectorInput / 2)}`);
    console.log(`    detector network              ${per(t.detectorNet / 2)}`);
    console.log(`    mesh input warps              ${per(t.meshInput / 2)}`);
    console.log(`    mesh network (2 passes)       ${per(t.meshNet / 2)}`);
    console.log(`  align, measures, crop  ${per(sum.total - sum.decode - sum.detect)} | ${per(sum.totalWall - sum.decodeWall - sum.detectWall)}`);
    console.log(`  whole measurePhotos    ${per(sum.total)} | ${per(sum.totalWall)}  (= ${(1000 / (sum.total / n)).toFixed(1)} photos/s per core)`);
  }
  fs.rmSync(cropDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

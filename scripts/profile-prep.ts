/**
 * Where the preparation's time goes, per photo, in one thread (as in one worker): decode, the
 * detector (input warp, network), the mesh (input warps, network) and the rest of the measures
 * (alignment warp, quality measures, crop JPEG). CPU time from process.cpuUsage, wall time beside.
 * Prints figures; asserts nothing. --split also times the parts of measureFace (measure.ts) one by
 * one on the largest face of each photo: the alignment warp, the quality measures, the native
 * sharpness, toneSpread, eyeBrightness, the dedupe signature, the crop JPEG (written as the
 * preparation does) and the rest (pose, inside shares, landmarks, mesh encoding).
 * --dump <file> writes the records (without their times) as JSON; --compare <file> reports which
 * records differ from such a dump (two builds give identical records, or not).
 *
 *   node build/scripts/profile-prep.js [--images <folder>] [--limit 200] [--batch 8] [--onnx auto|off] [--repeat 2] [--det-chunk N] [--mesh-chunk N] [--split] [--dump <file>] [--compare <file>]
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, runtime } from 'facetype';
import { FaceDetector } from 'facetype/dist/faces/detector';
import { encodeMesh, measurePhotos, type MeasureTask, type PhotoRecord } from 'facetype/dist/faces/measure';
import type { DetectedFace } from 'facetype/dist/faces/detector';
import { arg, celebaImages } from './bench-common';


/** CPU and wall ms of an async step. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
}

/** CPU ms of a synchronous step, added to `acc[key]`. */
function cpuPart<T>(acc: Record<string, number>, key: string, f: () => T): T {
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  acc[key] = (acc[key] ?? 0) + (c.user + c.system) / 1000;
  return value;
}

/** measureFace's parts, one by one, on one face (the same calls as measure.ts). */
async function splitFace(acc: Record<string, number>, img: faces.RgbImage, face: DetectedFace, template: faces.AlignTemplate, tmp: string): Promise<void> {
  if (!face.mesh) return;
  const mesh = face.mesh;
  const size = template.size;
  const [re, le] = faces.eyeCentersFromMesh(mesh, 3);
  const toCrop = faces.alignmentTransform(re, le, template);
  const crop = cpuPart(acc, 'alignment warp', () => faces.warpAffine(img, toCrop, { width: size, height: size, fill: 'edge' }));
  const region = faces.innerFaceRegion(size, template.rightEye, template.leftEye);
  cpuPart(acc, 'measureQuality', () => faces.measureQuality(crop, region));
  const toPhoto = faces.invertAffine(toCrop);
  const eyeDistance = Math.hypot(le[0] - re[0], le[1] - re[1]);
  cpuPart(acc, 'nativeSharpness', () => faces.nativeSharpness(img, faces.regionInPhoto(toPhoto, region, img.width, img.height), eyeDistance));
  cpuPart(acc, 'toneSpread', () => faces.toneSpread(crop));
  cpuPart(acc, 'eyeBrightness', () => faces.eyeBrightness(crop, size, template.rightEye, template.leftEye, region));
  cpuPart(acc, 'dedupe signature', () => faces.storedSignature(crop));
  cpuPart(acc, 'pose, inside, landmarks, mesh', () => {
    faces.poseFromMesh(mesh);
    faces.insideShare(toPhoto, region, img.width, img.height);
    faces.insideShare(toPhoto, [0, 0, size, size], img.width, img.height);
    const mesh2d = faces.transformPoints(toCrop, mesh, 3);
    faces.meshTo68(mesh2d, 2);
    encodeMesh(mesh2d);
  });
  const c0 = process.cpuUsage();
  await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.length), { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: 94, chromaSubsampling: '4:4:4' })
    .toFile(tmp);
  const c = process.cpuUsage(c0);
  acc['crop JPEG'] = (acc['crop JPEG'] ?? 0) + (c.user + c.system) / 1000;
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
  const split = process.argv.includes('--split');
  let records: PhotoRecord[] = [];
  for (let r = 0; r < repeat; r++) {
    const parts: Record<string, number> = {};
    records = [];
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
      records.push(...all.value);
      if (split) {
        for (let k = 0; k < imgs.length; k++) {
          const largest = [...det.value[k]].sort((a, b) => b.box[2] - a.box[2])[0];
          if (largest) await splitFace(parts, imgs[k], largest, faces.DEFAULT_TEMPLATE, path.join(cropDir, 'split.jpg'));
        }
      }
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
    if (split) {
      console.log('  measureFace parts, timed one by one (CPU):');
      for (const [k, v] of Object.entries(parts)) console.log(`    ${k.padEnd(30)}${per(v)}`);
      console.log(`    ${'sum'.padEnd(30)}${per(Object.values(parts).reduce((a, b) => a + b, 0))}`);
    }
  }
  // the records without their times, each crop's name followed by the SHA-1 of its JPEG bytes
  const strip = (rs: PhotoRecord[]): Omit<PhotoRecord, 'ms'>[] => rs.map(({ ms: _ms, ...rest }) => ({
    ...rest,
    faces: rest.faces.map((f) => ({ ...f, crop: f.crop && `${f.crop} ${crypto.createHash('sha1').update(fs.readFileSync(path.join(cropDir, f.crop))).digest('hex')}` })),
  }));
  const dumpFile = arg('dump');
  if (dumpFile) fs.writeFileSync(dumpFile, JSON.stringify(strip(records)));
  const compare = arg('compare');
  if (compare) {
    const ref = JSON.parse(fs.readFileSync(compare, 'utf8')) as Omit<PhotoRecord, 'ms'>[];
    const now = strip(records).map((r) => JSON.stringify(r));
    const differ = ref.filter((r, i) => JSON.stringify(r) !== now[i]).length;
    console.log(`compare: ${differ} of ${ref.length} records differ from ${compare} (${now.length} now)`);
  }
  fs.rmSync(cropDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

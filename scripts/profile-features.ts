/**
 * Where the features worker's time goes, per face, in one thread (as in one worker): reading the
 * 256 px crop JPEG, the nets' input crops (netCrops), the three nets, and the measured attributes.
 * CPU time from process.cpuUsage, wall time beside. Prints figures; asserts nothing.
 *
 * The faces come from the first --limit CelebA photos, prepared once (detector, mesh, alignment:
 * measurePhotos) into --crops (default a folder in the system's temp dir, reused by later runs).
 * --dump <file> writes every output (descriptors, attributes, measures) as JSON, so two builds can
 * be compared for identical results (--compare <file> does it).
 *
 *   node build/scripts/profile-features.js [--images <folder>] [--limit 300] [--batch 16] [--onnx auto|off] [--repeat 2] [--crops <dir>] [--dump <file>] [--compare <file>]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, features, runtime } from 'facetype';
import { FaceDetector } from 'facetype/dist/faces/detector';
import { measurePhotos, type MeasureTask } from 'facetype/dist/faces/measure';
import { arg, celebaImages } from './bench-common';

/** One prepared face: its crop file, 68 landmarks and 468 mesh points (crop pixels). */
interface PreparedFace {
  crop: string;
  lm68: number[];
  mesh: string;
}

/** CPU and wall ms of an async step. */
async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
}

/** The prepared faces in `dir`, prepared now from the first `limit` photos when missing. */
async function preparedFaces(images: string, dir: string, limit: number): Promise<PreparedFace[]> {
  const list = path.join(dir, 'faces.json');
  if (fs.existsSync(list)) return JSON.parse(fs.readFileSync(list, 'utf8')) as PreparedFace[];
  fs.mkdirSync(dir, { recursive: true });
  const { tf } = await runtime.initBackend({});
  const detector = await FaceDetector.load(tf, {}, {});
  const files = fs.readdirSync(images).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, limit);
  console.log(`preparing ${files.length} photos into ${dir} (once)`);
  const tasks: MeasureTask[] = files.map((f, i) => ({
    key: String(i), id: f, path: path.join(images, f), cropDir: dir, cropBase: `p${i}`, facesPerPhoto: 'single',
    template: faces.DEFAULT_TEMPLATE, decode: {}, jpegQuality: 94,
  }));
  const out: PreparedFace[] = [];
  for (let i = 0; i < tasks.length; i += 8) {
    for (const r of await measurePhotos(detector, tasks.slice(i, i + 8))) {
      for (const f of r.faces) if (f.crop) out.push({ crop: path.join(dir, f.crop), lm68: f.lm68, mesh: f.mesh });
    }
  }
  fs.writeFileSync(list, JSON.stringify(out));
  return out;
}

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const limit = Number(arg('limit') ?? 300);
  const batch = Number(arg('batch') ?? 16);
  const repeat = Number(arg('repeat') ?? 2);
  const onnx = arg('onnx') === 'off' ? 'off' : 'auto';
  sharp.concurrency(1);
  sharp.cache(false);
  const dir = path.resolve(arg('crops') ?? path.join(os.tmpdir(), `facetype-profile-features-${limit}`));
  const prepared = await preparedFaces(images, dir, limit);
  const { tf, info } = await runtime.initBackend({});
  const nets = await features.FaceNets.load(tf, info.name, { onnx });
  console.log(`profile-features: ${prepared.length} faces, batches of ${batch}, ${nets.runtime}`);
  const lms = prepared.map((f) => Float32Array.from(f.lm68));
  const meshes = prepared.map((f) => faces.decodeMesh(f.mesh));
  const dump = { descriptors: [] as number[][], attributes: [] as number[][], measures: [] as number[][] };
  for (let r = 0; r < repeat; r++) {
    const sum = { read: [0, 0], crops: [0, 0], nets: [0, 0], attributes: [0, 0] };
    const add = (k: keyof typeof sum, t: { cpu: number; wall: number }): void => {
      sum[k][0] += t.cpu;
      sum[k][1] += t.wall;
    };
    for (let i = 0; i < prepared.length; i += batch) {
      const part = prepared.slice(i, i + batch);
      const lm = lms.slice(i, i + batch);
      const read = await timed(() => Promise.all(part.map((f) => features.readCrop(f.crop))));
      const crops = await timed(() => features.netCrops(read.value, lm));
      // FaceNets.run builds the crops again: the nets' share is the difference
      const run = await timed(() => nets.run(read.value, lm));
      const attrs = await timed(() => read.value.map((img, j) => features.measureAttributes(img, meshes[i + j])));
      add('read', read);
      add('crops', crops);
      add('nets', { cpu: run.cpu - crops.cpu, wall: run.wall - crops.wall });
      add('attributes', attrs);
      if (r === 0) {
        part.forEach((_, j) => {
          dump.descriptors.push(Array.from(run.value.descriptors.subarray(j * 128, (j + 1) * 128)));
          const D = run.value.attributes.length / part.length;
          dump.attributes.push(Array.from(run.value.attributes.subarray(j * D, (j + 1) * D)));
          dump.measures.push(Array.from(attrs.value[j]));
        });
      }
    }
    const n = prepared.length;
    const per = (v: number): string => (v / n).toFixed(2).padStart(6);
    const total = [0, 1].map((k) => Object.values(sum).reduce((s, v) => s + v[k], 0));
    console.log(`\nround ${r + 1}: per face, ms (CPU | wall)`);
    console.log(`  read crop JPEG        ${per(sum.read[0])} | ${per(sum.read[1])}`);
    console.log(`  net crops             ${per(sum.crops[0])} | ${per(sum.crops[1])}`);
    console.log(`  nets                  ${per(sum.nets[0])} | ${per(sum.nets[1])}`);
    console.log(`  attributes            ${per(sum.attributes[0])} | ${per(sum.attributes[1])}`);
    console.log(`  total                 ${per(total[0])} | ${per(total[1])}  (= ${(1000 / (total[0] / n)).toFixed(1)} faces/s per core)`);
  }
  const dumpFile = arg('dump');
  if (dumpFile) fs.writeFileSync(dumpFile, JSON.stringify(dump));
  const compare = arg('compare');
  if (compare) {
    const ref = JSON.parse(fs.readFileSync(compare, 'utf8')) as typeof dump;
    for (const k of Object.keys(dump) as (keyof typeof dump)[]) {
      let differ = 0;
      let maxDiff = 0;
      dump[k].forEach((row, i) => {
        let d = 0;
        row.forEach((v, j) => {
          const w = ref[k][i]?.[j];
          if (!(Number.isNaN(v) && (w === null || Number.isNaN(w)))) d = Math.max(d, Math.abs(v - (w ?? NaN)));
          if (Number.isNaN(d)) d = Infinity;
        });
        if (d > 0) differ++;
        maxDiff = Math.max(maxDiff, d);
      });
      console.log(`compare ${k}: ${differ} of ${dump[k].length} faces differ from ${compare} (largest difference ${maxDiff})`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

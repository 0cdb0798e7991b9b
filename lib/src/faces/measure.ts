/**
 * Everything the preparation measures about one photo and its faces: the per-photo record that
 * the cache stores and the filters read. Computed in a worker (see prepare-worker.ts).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import type { PhotoInfo } from './decode';
import { decodePhoto, type DecodedPhoto, type DecodeOptions } from './decode';
import type { DetectedFace, FaceDetector } from './detector';
import { alignmentTransform, insideShare, invertAffine, transformPoints, warpAffine, type Affine, type AlignTemplate, type RgbImage } from './align';
import { eyeCentersFromMesh, meshTo68 } from './landmarks';
import { poseFromMesh } from './pose';
import { eyeBrightness, innerFaceRegion, measureQuality, nativeSharpness, regionInPhoto, toneSpread } from './quality';
import type { FacesPerPhoto } from '../sources/types';
import { storedSignature, type StoredSignature } from './dedupe';

/** Bumped whenever measurement changes, so cached records are recomputed. */
export const MEASURE_VERSION = 4;

export interface FaceMeasures {
  /** Index of the face in the photo, largest first. */
  index: number;
  detector: 'front' | 'full';
  /** Detector confidence (0..1). */
  score: number;
  /** Face mesh confidence (0..1). */
  meshScore: number;
  /** Detector box in original photo pixels [x, y, w, h]. */
  box: [number, number, number, number];
  /** Distance between the eye centres, in original photo pixels. */
  eyeDistance: number;
  yaw: number;
  pitch: number;
  roll: number;
  /** Variance of the Laplacian on the 256 px crop (depends on the face's native size: see blur). */
  sharpness: number;
  /**
   * Re-blur ratio on the photo's own pixels (0 sharp .. 1 blurry; see nativeSharpness): the
   * scale-aware blur measure the filter uses. Null when the face is too small to measure.
   */
  blur: number | null;
  brightness: number;
  contrast: number;
  colorfulness: number;
  grayscale: boolean;
  /**
   * Share of the crop's pixels whose colour departs from a single tone at their lightness (see
   * toneSpread): near 0 for grayscale and toned (sepia) photos. Absent in records of version < 4.
   */
  offTone?: number;
  /** Mean luminance of the eyes over the inner face's (low: sunglasses, see eyeBrightness). */
  eyeBrightness: number;
  /** Share of the crop's inner face region that lies inside the photo (1 = fully inside). */
  inside: number;
  /** Share of the whole crop that lies outside the photo (filled by edge replication). */
  outside: number;
  /** Original photo pixels -> crop pixels. */
  transform: Affine;
  /** Crop file name (in the crop folder), null when no crop was written. */
  crop: string | null;
  /** 68 landmarks (x, y) in crop pixels, rounded to 0.01. */
  lm68: number[];
  /** 468 mesh points (x, y) in crop pixels: base64 of Int16 values x 32. */
  mesh: string;
  /** The crop's near-duplicate signature (see faces/dedupe.ts), taken while it is in memory; absent in older records. */
  signature?: StoredSignature | null;
}

export interface PhotoRecord {
  /** Cache key: id, size, mtime and measurement settings. */
  key: string;
  id: string;
  path: string;
  status: 'ok' | 'failed';
  /** Why the photo could not be used (decode failures). */
  reason?: string;
  info: Partial<PhotoInfo>;
  notes: string[];
  faces: FaceMeasures[];
  /** Faces the detector found (faces whose mesh failed are counted but not measured). */
  detected: number;
  /** Time spent on this photo in the worker, ms. */
  ms: number;
}

export interface MeasureTask {
  key: string;
  id: string;
  path: string;
  /** Folder for the crops and the base of this photo's crop names. */
  cropDir: string;
  cropBase: string;
  facesPerPhoto: FacesPerPhoto;
  template: AlignTemplate;
  decode: Partial<DecodeOptions>;
  /** JPEG quality of the crops. */
  jpegQuality: number;
}

/** Mesh points scale for Int16 storage (1/32 px precision, +-1024 px range). */
const MESH_Q = 32;

export function encodeMesh(points2d: Float32Array): string {
  const q = new Int16Array(points2d.length);
  for (let i = 0; i < points2d.length; i++) q[i] = Math.max(-32768, Math.min(32767, Math.round(points2d[i] * MESH_Q)));
  return Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
}

export function decodeMesh(encoded: string): Float32Array {
  const buf = Buffer.from(encoded, 'base64');
  const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] / MESH_Q;
  return out;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Measures one face of a decoded photo and writes its crop when asked. */
async function measureFace(
  img: RgbImage,
  scale: number,
  face: DetectedFace,
  index: number,
  task: MeasureTask,
  writeCrop: boolean,
): Promise<FaceMeasures | null> {
  if (!face.mesh) return null;
  const [re, le] = eyeCentersFromMesh(face.mesh, 3);
  const toCrop = alignmentTransform(re, le, task.template);
  const size = task.template.size;
  const crop = warpAffine(img, toCrop, { width: size, height: size, fill: 'edge' });
  const region = innerFaceRegion(size, task.template.rightEye, task.template.leftEye);
  const q = measureQuality(crop, region);
  const pose = poseFromMesh(face.mesh);
  const toPhoto = invertAffine(toCrop);
  const inside = insideShare(toPhoto, region, img.width, img.height);
  const outside = 1 - insideShare(toPhoto, [0, 0, size, size], img.width, img.height);
  const eyeDistance = Math.hypot(le[0] - re[0], le[1] - re[1]);
  const native = nativeSharpness(img, regionInPhoto(toPhoto, region, img.width, img.height), eyeDistance);
  const mesh2d = transformPoints(toCrop, face.mesh, 3);
  const lm = meshTo68(mesh2d, 2);
  let cropName: string | null = null;
  if (writeCrop) {
    cropName = `${task.cropBase}_f${index}.jpg`;
    const tmp = path.join(task.cropDir, `.${cropName}.${process.pid}.tmp`);
    await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.length), { raw: { width: size, height: size, channels: 3 } })
      .jpeg({ quality: task.jpegQuality, chromaSubsampling: '4:4:4' })
      .toFile(tmp);
    await fs.rename(tmp, path.join(task.cropDir, cropName));
  }
  // original photo pixels -> crop: compose with the working-image scale
  const fromOriginal: Affine = [toCrop[0] * scale, toCrop[1] * scale, toCrop[2], toCrop[3] * scale, toCrop[4] * scale, toCrop[5]];
  return {
    index,
    detector: face.detector,
    score: round2(face.score),
    meshScore: round2(face.meshScore),
    box: face.box.map((v) => round2(v / scale)) as [number, number, number, number],
    eyeDistance: round2(eyeDistance / scale),
    yaw: round2(pose.yaw),
    pitch: round2(pose.pitch),
    roll: round2(pose.roll),
    sharpness: round2(q.sharpness),
    blur: Number.isFinite(native.blur) ? Math.round(native.blur * 10000) / 10000 : null,
    brightness: round2(q.brightness * 1000) / 1000,
    contrast: round2(q.contrast * 1000) / 1000,
    colorfulness: round2(q.colorfulness),
    grayscale: q.grayscale,
    offTone: Math.round(toneSpread(crop).offTone * 10000) / 10000,
    eyeBrightness: Math.round(eyeBrightness(crop, size, task.template.rightEye, task.template.leftEye, region) * 1000) / 1000,
    inside: round2(inside),
    outside: Math.round(outside * 1000) / 1000,
    transform: fromOriginal.map((v) => Math.round(v * 1e6) / 1e6) as Affine,
    crop: cropName,
    signature: cropName ? storedSignature(crop) : null,
    lm68: Array.from(lm, round2),
    mesh: encodeMesh(mesh2d),
  };
}

/** Decodes, detects and measures one photo. Never throws for a bad photo. */
export async function measurePhoto(detector: FaceDetector, task: MeasureTask): Promise<PhotoRecord> {
  return (await measurePhotos(detector, [task]))[0];
}

/**
 * Decodes, detects and measures several photos (the mesh model runs batched over all their
 * faces). Never throws for a bad photo: each gets a record with its reason.
 */
export async function measurePhotos(detector: FaceDetector, tasks: MeasureTask[]): Promise<PhotoRecord[]> {
  const t0 = performance.now();
  const decoded = await Promise.all(tasks.map((t) => decodePhoto(t.path, t.decode)));
  const records: (PhotoRecord | null)[] = tasks.map(() => null);
  const ok: number[] = [];
  decoded.forEach((d, i) => {
    const t = tasks[i];
    if (!d.ok) records[i] = { key: t.key, id: t.id, path: t.path, status: 'failed', reason: d.reason, info: d.info, notes: [], faces: [], detected: 0, ms: 0 };
    else ok.push(i);
  });
  let detected: DetectedFace[][] = [];
  try {
    detected = await detector.detectBatch(ok.map((i) => (decoded[i] as DecodedPhoto).image));
  } catch {
    // a detector failure on the batch: measure the photos one by one to isolate the bad one
    detected = [];
    for (const i of ok) {
      try {
        detected.push(await detector.detect((decoded[i] as DecodedPhoto).image));
      } catch (e) {
        detected.push([]);
        const t = tasks[i];
        records[i] = { key: t.key, id: t.id, path: t.path, status: 'failed', reason: `detector error (${(e as Error).message.slice(0, 120)})`, info: (decoded[i] as DecodedPhoto).info, notes: (decoded[i] as DecodedPhoto).notes, faces: [], detected: 0, ms: 0 };
      }
    }
  }
  for (let k = 0; k < ok.length; k++) {
    const i = ok[k];
    if (records[i]) continue;
    const t = tasks[i];
    const d = decoded[i] as DecodedPhoto;
    const found = [...detected[k]].sort((a, b) => b.box[2] - a.box[2]);
    const faces: FaceMeasures[] = [];
    for (let j = 0; j < found.length; j++) {
      const writeCrop = t.facesPerPhoto === 'all' || j === 0;
      const m = await measureFace(d.image, d.scale, found[j], j, t, writeCrop);
      if (m) faces.push(m);
    }
    records[i] = { key: t.key, id: t.id, path: t.path, status: 'ok', info: d.info, notes: d.notes, faces, detected: found.length, ms: 0 };
  }
  const ms = Math.round((performance.now() - t0) / Math.max(1, tasks.length));
  return records.map((r) => ({ ...(r as PhotoRecord), ms }));
}

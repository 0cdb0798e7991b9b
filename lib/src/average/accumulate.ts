/**
 * The accumulation kernel: decodes faces, warps each to its group's target and to the global
 * target, and adds them into running Float64 sums; also sums the unwarped crops (the plain pixel
 * mean). A worker thread (average-worker.ts) runs one Accumulator per averaging run; the main
 * thread runs one itself with `workers: 0`.
 *
 * Memory is O(image size): the sums of the targets a chunk touched (at most groups + 1 targets,
 * warped and plain) and a few decoded images in flight, never the whole set.
 *
 * Weighted accumulation (`weighted: true`): each face brings per-pixel weights in its crop (the
 * product of its masks: the person alpha of the segmentation, a validity mask that zeroes pixels
 * outside the photo, ...); every warped pixel is added times its warped weight, and the weights are
 * summed per destination pixel too, so the finish can divide by them or use their mean as alpha.
 */
import sharp, { type OutputInfo } from 'sharp';
import { prepareWarp, accumulatePlain, accumulateWarp, frameMesh, type WarpMap } from './warp';
import { extendPoints, framePoints, type FaceMesh, type MeshLayout } from './triangulate';
import type { RgbImage, SkipReason } from './types';

/** What an accumulator needs: plain data, so it can be sent to a worker thread. */
export interface AccumulatorSetup {
  /** Side of the input crops (the frame the face points are in). */
  cropSize: number;
  /** Side of the averages. */
  size: number;
  /** Ring and frame points shared by every target. */
  layout: MeshLayout;
  /** Target meshes: index 0 is the global target, index g + 1 is group g's. */
  targets: { points: Float32Array; triangles: Uint32Array; alpha: Float32Array | null }[];
  /** Also sum the unwarped crops. */
  pixelMean: boolean;
  /** Weight every pixel by the face's masks and sum the weights (see the module comment). */
  weighted?: boolean;
}

/** A per-pixel weight of a crop: a grey image file (PNG) or its bytes (cropSize x cropSize, 255 = 1). */
export type WeightSource = string | Uint8Array;

/** One face of a chunk, already checked by the main thread. */
export interface ChunkFace {
  image: string | RgbImage;
  points: Float32Array;
  /** Group, or -1 for none. */
  group: number;
  /** Weight masks in the crop's pixels, multiplied together (weighted accumulation only). */
  weights?: WeightSource[];
}

/** Sums of one target: RGB, size x size, and the number of faces added. */
export interface TargetSum {
  target: number;
  count: number;
  sum: Float64Array;
  /** Sum of the weights per pixel (size x size), weighted accumulation only. */
  weight: Float64Array | null;
}

/** What a chunk adds up to. */
export interface ChunkSums {
  /** Warped sums: every face in its group's target and in the global target 0. */
  warp: TargetSum[];
  /** Unwarped sums: every face in ONE target, its group's (or 0 without a group). */
  pixel: TargetSum[];
  /** Faces that could not be used (their image), with their group (-1: none). */
  skipped: { group: number; reason: SkipReason }[];
}

/** Number of images decoded ahead of the one being warped. */
const PREFETCH = 3;

export class Accumulator {
  private readonly setup: AccumulatorSetup;
  private readonly maps: WarpMap[];
  private readonly scaleMap: WarpMap | null;
  private readonly cropFrame: Float32Array;

  constructor(setup: AccumulatorSetup) {
    this.setup = setup;
    const { size, layout } = setup;
    this.maps = setup.targets.map((t) => {
      const mesh: FaceMesh = { ...layout, width: size, height: size, points: t.points, triangles: t.triangles };
      return prepareWarp(mesh, { alpha: t.alpha });
    });
    // unwarped crops are only rescaled when the output size differs from the crop size
    this.scaleMap = setup.cropSize === size ? null : prepareWarp(frameMesh(size, size));
    this.cropFrame = framePoints(8, setup.cropSize, setup.cropSize);
  }

  /** Decodes, warps and sums a chunk of faces; returns the chunk's sums (fresh arrays). */
  async addChunk(faces: readonly ChunkFace[]): Promise<ChunkSums> {
    const { size, cropSize, layout } = this.setup;
    const plane = size * size * 3;
    const warp = new Map<number, TargetSum>();
    const pixel = new Map<number, TargetSum>();
    const skipped: ChunkSums['skipped'] = [];
    const get = (m: Map<number, TargetSum>, target: number): TargetSum => {
      let s = m.get(target);
      if (!s) {
        s = { target, count: 0, sum: new Float64Array(plane), weight: this.setup.weighted ? new Float64Array(size * size) : null };
        m.set(target, s);
      }
      return s;
    };
    const weighted = !!this.setup.weighted;
    const load = (face: ChunkFace) => Promise.all([decodeRgb(face.image), weighted ? decodeWeights(face.weights ?? [], cropSize) : null]);
    const decoded: Promise<[RgbImage | SkipReason, Uint8Array | SkipReason | null]>[] = [];
    for (let i = 0; i < Math.min(PREFETCH, faces.length); i++) decoded.push(load(faces[i]));
    for (let i = 0; i < faces.length; i++) {
      if (i + PREFETCH < faces.length) decoded.push(load(faces[i + PREFETCH]));
      const face = faces[i];
      const [img, weight] = await decoded[i];
      decoded[i] = Promise.resolve(['unreadable-image', null]); // release the pixels
      if (typeof img === 'string') {
        skipped.push({ group: face.group, reason: img });
        continue;
      }
      if (img.width !== cropSize || img.height !== cropSize) {
        skipped.push({ group: face.group, reason: 'size-mismatch' });
        continue;
      }
      if (typeof weight === 'string') {
        skipped.push({ group: face.group, reason: weight });
        continue;
      }
      const src = extendPoints(face.points, layout, img.width, img.height);
      const targets = face.group >= 0 ? [0, face.group + 1] : [0];
      for (const t of targets) {
        const s = get(warp, t);
        accumulateWarp(this.maps[t], img.data, img.width, img.height, src, s.sum, weight, s.weight);
        s.count++;
      }
      if (this.setup.pixelMean) {
        // the unwarped crop goes into its own group's sum only (target 0 for faces without a
        // group): the global pixel mean is the sum over all of them, added up at the end
        const s = get(pixel, face.group >= 0 ? face.group + 1 : 0);
        if (this.scaleMap) accumulateWarp(this.scaleMap, img.data, img.width, img.height, this.cropFrame, s.sum, weight, s.weight);
        else accumulatePlain(img.data, s.sum, weight, s.weight);
        s.count++;
      }
    }
    return { warp: [...warp.values()], pixel: [...pixel.values()], skipped };
  }
}

/**
 * The product of a face's weight masks (each size x size, 255 = 1) as bytes; all 255 without
 * masks; a reason when a mask cannot be read or has another size.
 */
export async function decodeWeights(sources: readonly WeightSource[], size: number): Promise<Uint8Array | SkipReason> {
  const n = size * size;
  let out: Uint8Array | null = null;
  for (const src of sources) {
    let m: Uint8Array;
    if (typeof src === 'string') {
      try {
        const { data, info } = await sharp(src).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        if (info.width !== size || info.height !== size) return 'size-mismatch';
        m = data;
      } catch {
        return 'unreadable-mask';
      }
    } else if (src instanceof Uint8Array && src.length === n) m = src;
    else return 'size-mismatch';
    if (!out) out = Uint8Array.from(m);
    else for (let i = 0; i < n; i++) out[i] = Math.round((out[i] * m[i]) / 255);
  }
  return out ?? new Uint8Array(n).fill(255);
}

/** Decodes an image source to RGB; a reason instead of an exception when it cannot. */
export async function decodeRgb(image: string | RgbImage): Promise<RgbImage | SkipReason> {
  if (typeof image !== 'string') {
    const { data, width, height } = image;
    if (!(data instanceof Uint8Array) || !Number.isInteger(width) || !Number.isInteger(height) || data.length !== width * height * 3) {
      return 'size-mismatch';
    }
    return image;
  }
  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true }));
  } catch {
    return 'unreadable-image';
  }
  const { width, height, channels } = info;
  if (channels === 3) return { data, width, height, channels: 3 };
  if (channels < 1 || channels > 4) return 'unreadable-image';
  // grey (1), grey + alpha (2), RGBA (4): drop alpha, replicate grey
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    if (channels >= 3) {
      out[3 * i] = data[channels * i];
      out[3 * i + 1] = data[channels * i + 1];
      out[3 * i + 2] = data[channels * i + 2];
    } else {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[channels * i];
    }
  }
  return { data: out, width, height, channels: 3 };
}

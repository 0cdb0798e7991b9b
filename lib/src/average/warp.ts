/**
 * Piecewise-affine warp of a face image onto a target mesh.
 *
 * Every triangle of the target mesh has its own affine map from the face's triangle (the same
 * point indices on the face) to the target's. We go backwards: for every destination pixel centre
 * inside a target triangle, its barycentric coordinates (l0, l1, l2) in that triangle give the
 * source position l0 a' + l1 b' + l2 c' on the face, where the face is sampled with bilinear
 * interpolation (clamped at the image edge). Barycentric coordinates are exactly the affine map
 * and need no matrix inversion, so a degenerate source triangle simply collapses.
 *
 * What depends only on the target (which triangle each destination pixel falls in, and its
 * barycentric coordinates) is computed once per target by prepareWarp(); warping one face then
 * costs one pass over the pixels: a multiply-add for the source position and the bilinear sample.
 * accumulateWarp() adds the warped face straight into a running sum, without an intermediate
 * image.
 *
 * Pixel centres are at integer coordinates (pixel (0, 0) covers [-0.5, 0.5] x [-0.5, 0.5]).
 */
import { InvalidParameterError } from '../validate';
import { delaunay } from './delaunay';
import { extendPoints, framePoints, type FaceMesh } from './triangulate';
import type { FloatImage, RgbImage } from './types';

/** Per-target precomputation of the warp (see the module comment). */
export interface WarpMap {
  /** Size of the destination image. */
  width: number;
  height: number;
  /** Number of mesh points a face must provide (landmarks, ring and frame points). */
  pointCount: number;
  /** The mesh's triangles, 3 point indices each. */
  triangles: Uint32Array;
  /** Destination pixels the warp writes (y * width + x), in increasing order. */
  pixels: Uint32Array;
  /** Triangle (index into triangles / 3) of each listed pixel. */
  triangle: Uint32Array;
  /** Barycentric weights of each pixel's 2nd and 3rd triangle vertex (the 1st is 1 - l1 - l2). */
  l1: Float32Array;
  l2: Float32Array;
}

export interface PrepareWarpOptions {
  /** Per-pixel weights (a face mask): pixels whose weight is not above `minAlpha` are not warped. */
  alpha?: Float32Array | null;
  /** Pixels with alpha <= minAlpha are left out. */
  minAlpha?: number;
}

/**
 * Finds, once per target mesh, the triangle and barycentric coordinates of every destination
 * pixel centre (optionally only where `alpha` is above `minAlpha`).
 */
export function prepareWarp(mesh: FaceMesh, options: PrepareWarpOptions = {}): WarpMap {
  const { width, height, points: p, triangles: tris } = mesh;
  const alpha = options.alpha ?? null;
  const minAlpha = options.minAlpha ?? 0;
  if (alpha && alpha.length !== width * height) {
    throw new InvalidParameterError('alpha', `${width * height} weights (${width}x${height})`, alpha);
  }
  const owner = new Int32Array(width * height).fill(-1);
  const w1 = new Float32Array(width * height);
  const w2 = new Float32Array(width * height);
  const eps = 1e-7;
  for (let t = 0; t < tris.length / 3; t++) {
    const a = tris[3 * t];
    const b = tris[3 * t + 1];
    const c = tris[3 * t + 2];
    const ax = p[2 * a];
    const ay = p[2 * a + 1];
    const bx = p[2 * b] - ax;
    const by = p[2 * b + 1] - ay;
    const cx = p[2 * c] - ax;
    const cy = p[2 * c + 1] - ay;
    const det = bx * cy - cx * by;
    if (det === 0) continue;
    const xs = Math.max(0, Math.ceil(Math.min(ax, ax + bx, ax + cx) - 1e-6));
    const xe = Math.min(width - 1, Math.floor(Math.max(ax, ax + bx, ax + cx) + 1e-6));
    const ys = Math.max(0, Math.ceil(Math.min(ay, ay + by, ay + cy) - 1e-6));
    const ye = Math.min(height - 1, Math.floor(Math.max(ay, ay + by, ay + cy) + 1e-6));
    for (let y = ys; y <= ye; y++) {
      const dy = y - ay;
      for (let x = xs; x <= xe; x++) {
        const i = y * width + x;
        if (owner[i] >= 0) continue;
        const dx = x - ax;
        const u = (dx * cy - cx * dy) / det;
        const v = (bx * dy - dx * by) / det;
        if (u >= -eps && v >= -eps && u + v <= 1 + eps) {
          owner[i] = t;
          w1[i] = u;
          w2[i] = v;
        }
      }
    }
  }
  let n = 0;
  for (let i = 0; i < owner.length; i++) if (owner[i] >= 0 && (!alpha || alpha[i] > minAlpha)) n++;
  const pixels = new Uint32Array(n);
  const triangle = new Uint32Array(n);
  const l1 = new Float32Array(n);
  const l2 = new Float32Array(n);
  let k = 0;
  for (let i = 0; i < owner.length; i++) {
    if (owner[i] < 0 || (alpha && !(alpha[i] > minAlpha))) continue;
    pixels[k] = i;
    triangle[k] = owner[i];
    l1[k] = w1[i];
    l2[k] = w2[i];
    k++;
  }
  return { width, height, pointCount: p.length / 2, triangles: tris, pixels, triangle, l1, l2 };
}

let scratch = new Float64Array(6 * 1024);

/** Checks the arguments of a warp into sums; returns each source triangle's first vertex and edge vectors. */
function sourceTriangles(map: WarpMap, source: Uint8Array, sourceWidth: number, sourceHeight: number, sourcePoints: ArrayLike<number>, sum: Float64Array): Float64Array {
  if (sourcePoints.length !== 2 * map.pointCount) {
    throw new InvalidParameterError('sourcePoints', `${2 * map.pointCount} coordinates (as the target mesh)`, sourcePoints);
  }
  if (source.length < sourceWidth * sourceHeight * 3) {
    throw new InvalidParameterError('source', `${sourceWidth * sourceHeight * 3} bytes (${sourceWidth}x${sourceHeight} RGB)`, source);
  }
  if (sum.length !== map.width * map.height * 3) {
    throw new InvalidParameterError('sum', `${map.width * map.height * 3} values (${map.width}x${map.height} RGB)`, sum);
  }
  const tris = map.triangles;
  const nt = tris.length / 3;
  if (scratch.length < 6 * nt) scratch = new Float64Array(6 * nt);
  const tv = scratch;
  for (let t = 0; t < nt; t++) {
    const a = tris[3 * t];
    const b = tris[3 * t + 1];
    const c = tris[3 * t + 2];
    const ax = sourcePoints[2 * a];
    const ay = sourcePoints[2 * a + 1];
    tv[6 * t] = ax;
    tv[6 * t + 1] = ay;
    tv[6 * t + 2] = sourcePoints[2 * b] - ax;
    tv[6 * t + 3] = sourcePoints[2 * b + 1] - ay;
    tv[6 * t + 4] = sourcePoints[2 * c] - ax;
    tv[6 * t + 5] = sourcePoints[2 * c + 1] - ay;
  }
  return tv;
}

/**
 * Warps one face (RGB pixels `source`, sourceWidth x sourceHeight, with its extended points
 * `sourcePoints` in the same order as the map's mesh) and ADDS it into `sum` (RGB, the map's
 * width x height). Only the map's pixels are written.
 *
 * With `weight` (one byte per source pixel, 255 = full weight: a person mask, a validity mask)
 * and `weightSum` (one value per destination pixel), each warped pixel is added multiplied by its
 * warped weight in [0, 1], and that weight is added into `weightSum`.
 */
export function accumulateWarp(
  map: WarpMap,
  source: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  sourcePoints: ArrayLike<number>,
  sum: Float64Array,
  weight: Uint8Array | null = null,
  weightSum: Float64Array | null = null,
): void {
  const tv = sourceTriangles(map, source, sourceWidth, sourceHeight, sourcePoints, sum);
  if (weight && (weight.length < sourceWidth * sourceHeight || !weightSum || weightSum.length !== map.width * map.height)) {
    throw new InvalidParameterError('weight', `${sourceWidth * sourceHeight} bytes with a weightSum of ${map.width * map.height} values`, weight);
  }
  const { pixels, triangle, l1, l2 } = map;
  const xmax = sourceWidth - 1;
  const ymax = sourceHeight - 1;
  const row = 3 * sourceWidth;
  const n = pixels.length;
  for (let k = 0; k < n; k++) {
    const o = 6 * triangle[k];
    const u = l1[k];
    const v = l2[k];
    let x = tv[o] + u * tv[o + 2] + v * tv[o + 4];
    let y = tv[o + 1] + u * tv[o + 3] + v * tv[o + 5];
    // clamp to the image (also maps NaN to 0)
    if (!(x > 0)) x = 0;
    else if (x > xmax) x = xmax;
    if (!(y > 0)) y = 0;
    else if (y > ymax) y = ymax;
    const x0 = x | 0;
    const y0 = y | 0;
    const fx = x - x0;
    const fy = y - y0;
    let w11 = fx * fy;
    let w10 = fx - w11;
    let w01 = fy - w11;
    let w00 = 1 - fx - fy + w11;
    const i00 = y0 * row + 3 * x0;
    const i10 = x0 < xmax ? i00 + 3 : i00;
    const i01 = y0 < ymax ? i00 + row : i00;
    const i11 = i10 + (i01 - i00);
    if (weight) {
      const j00 = y0 * sourceWidth + x0;
      const j10 = x0 < xmax ? j00 + 1 : j00;
      const j01 = y0 < ymax ? j00 + sourceWidth : j00;
      const j11 = j10 + (j01 - j00);
      const a = (w00 * weight[j00] + w10 * weight[j10] + w01 * weight[j01] + w11 * weight[j11]) / 255;
      // nothing to add where the weight is 0 (a face's background under its person mask)
      if (a === 0) continue;
      (weightSum as Float64Array)[pixels[k]] += a;
      w00 *= a;
      w10 *= a;
      w01 *= a;
      w11 *= a;
    }
    const d = 3 * pixels[k];
    sum[d] += w00 * source[i00] + w10 * source[i10] + w01 * source[i01] + w11 * source[i11];
    sum[d + 1] += w00 * source[i00 + 1] + w10 * source[i10 + 1] + w01 * source[i01 + 1] + w11 * source[i11 + 1];
    sum[d + 2] += w00 * source[i00 + 2] + w10 * source[i10 + 2] + w01 * source[i01 + 2] + w11 * source[i11 + 2];
  }
}

/** Checks raw RGB pixels; returns the image. */
export function checkRgbImage(param: string, image: RgbImage): RgbImage {
  if (!image || typeof image !== 'object' || !(image.data instanceof Uint8Array)) {
    throw new InvalidParameterError(param, 'an RGB image { data: Uint8Array, width, height, channels: 3 }', image);
  }
  const { width, height, channels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidParameterError(`${param}.width/height`, 'positive integers', `${width}x${height}`);
  }
  if (channels !== 3) throw new InvalidParameterError(`${param}.channels`, '3', channels);
  if (image.data.length !== width * height * 3) {
    throw new InvalidParameterError(`${param}.data`, `${width * height * 3} bytes (${width}x${height}x3)`, image.data);
  }
  return image;
}

/**
 * Warps one face onto a target mesh: `points` are the face's landmarks in its image's pixels
 * (as many as the mesh's landmarks). Returns the warped image at the mesh's size, as floats.
 * Pass `map` (from prepareWarp(mesh)) when warping several faces to the same mesh.
 */
export function warpImage(image: RgbImage, points: ArrayLike<number>, mesh: FaceMesh, map?: WarpMap): FloatImage {
  checkRgbImage('image', image);
  const m = map ?? prepareWarp(mesh);
  const src = extendPoints(points, mesh, image.width, image.height);
  const sum = new Float64Array(mesh.width * mesh.height * 3);
  accumulateWarp(m, image.data, image.width, image.height, src, sum);
  return { data: Float32Array.from(sum), width: mesh.width, height: mesh.height, channels: 3 };
}

/** Rounds a float image to 8-bit RGB (clamped to [0, 255]). */
export function toRgbImage(image: FloatImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(image.data[i]);
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}

/**
 * The mesh that maps a whole image frame onto another by scaling (its 8 frame points and their
 * triangles), for resampling an unwarped crop to the output size.
 */
export function frameMesh(width: number, height: number): FaceMesh {
  const points = framePoints(8, width, height);
  const triangles = delaunay(points).triangles;
  return { landmarkCount: 0, ringIndices: new Uint32Array(0), ringScale: 0, borderPoints: 8, width, height, points, triangles };
}

/**
 * Adds an image of the same size into `sum` (the pixel mean needs no warp); with `weight` (one
 * byte per pixel, 255 = 1) each pixel is added times its weight, and the weights into `weightSum`.
 */
export function accumulatePlain(source: Uint8Array, sum: Float64Array, weight: Uint8Array | null = null, weightSum: Float64Array | null = null): void {
  const n = sum.length;
  if (!weight) {
    for (let i = 0; i < n; i++) sum[i] += source[i];
    return;
  }
  if (!weightSum || weight.length !== n / 3 || weightSum.length !== n / 3) {
    throw new InvalidParameterError('weight', `${n / 3} bytes with a weightSum of as many values`, weight);
  }
  for (let p = 0; p < n / 3; p++) {
    const a = weight[p] / 255;
    weightSum[p] += a;
    sum[3 * p] += a * source[3 * p];
    sum[3 * p + 1] += a * source[3 * p + 1];
    sum[3 * p + 2] += a * source[3 * p + 2];
  }
}

/**
 * Eye alignment: a similarity transform (rotation, uniform scale, translation) that puts the two
 * eye centres at fixed template positions, and the crop it defines.
 */
import { InvalidParameterError, integerInRange, numberInRange, withDefaults } from '../validate';

/** 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = [number, number, number, number, number, number];

export interface AlignTemplate {
  /** Side of the square crop in pixels. */
  size: number;
  /** Eye centres as fractions of the crop side: the subject's right eye (image left) first. */
  rightEye: [number, number];
  leftEye: [number, number];
}

/**
 * Default template: eyes at 35% and 65% of the width, 42% from the top, so a 256 px crop has an
 * inter-ocular distance of 77 px, with room for the chin below and the hairline above.
 */
export const DEFAULT_TEMPLATE: AlignTemplate = {
  size: 256,
  rightEye: [0.35, 0.42],
  leftEye: [0.65, 0.42],
};

/** Similarity transform mapping src1 -> dst1 and src2 -> dst2 exactly. */
export function similarityFromPairs(
  src1: [number, number], src2: [number, number],
  dst1: [number, number], dst2: [number, number],
): Affine {
  const sx = src2[0] - src1[0];
  const sy = src2[1] - src1[1];
  const dx = dst2[0] - dst1[0];
  const dy = dst2[1] - dst1[1];
  const den = sx * sx + sy * sy;
  if (!(den > 1e-12)) throw new InvalidParameterError('eye centres', 'two distinct points', `${src1} and ${src2}`);
  // complex division (dx + i dy) / (sx + i sy) = a + i c
  const a = (dx * sx + dy * sy) / den;
  const c = (dy * sx - dx * sy) / den;
  const tx = dst1[0] - (a * src1[0] - c * src1[1]);
  const ty = dst1[1] - (c * src1[0] + a * src1[1]);
  return [a, -c, tx, c, a, ty];
}

/** The transform from photo pixels to crop pixels for the given eye centres. */
export function alignmentTransform(rightEye: [number, number], leftEye: [number, number], template: AlignTemplate = DEFAULT_TEMPLATE): Affine {
  const s = template.size;
  return similarityFromPairs(
    rightEye, leftEye,
    [template.rightEye[0] * s, template.rightEye[1] * s],
    [template.leftEye[0] * s, template.leftEye[1] * s],
  );
}

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Maps every point of a flat x,y(,z) array; returns flat x,y. */
export function transformPoints(m: Affine, points: ArrayLike<number>, dims: 2 | 3 = 2): Float32Array {
  const n = Math.floor(points.length / dims);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = points[i * dims];
    const y = points[i * dims + 1];
    out[2 * i] = m[0] * x + m[1] * y + m[2];
    out[2 * i + 1] = m[3] * x + m[4] * y + m[5];
  }
  return out;
}

export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-15) throw new InvalidParameterError('affine', 'an invertible matrix', `determinant ${det}`);
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/** Uniform scale of a similarity transform. */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/** An interleaved 8-bit image. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export interface WarpOptions {
  /** Output width and height. */
  width: number;
  height: number;
  /** Colour of pixels that fall outside the source (per channel). */
  fill: number[];
}

/** Halves an image with a 2x2 box filter (for anti-aliased downscaling). */
export function halve(img: RgbImage): RgbImage {
  const w = Math.max(1, img.width >> 1);
  const h = Math.max(1, img.height >> 1);
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  const sw = img.width;
  for (let y = 0; y < h; y++) {
    const y0 = Math.min(2 * y, img.height - 1);
    const y1 = Math.min(2 * y + 1, img.height - 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(2 * x, sw - 1);
      const x1 = Math.min(2 * x + 1, sw - 1);
      for (let k = 0; k < c; k++) {
        const s = img.data[(y0 * sw + x0) * c + k] + img.data[(y0 * sw + x1) * c + k] + img.data[(y1 * sw + x0) * c + k] + img.data[(y1 * sw + x1) * c + k];
        out[(y * w + x) * c + k] = (s + 2) >> 2;
      }
    }
  }
  return { data: out, width: w, height: h, channels: c };
}

/**
 * Warps `src` by the affine `m` (source -> destination) with bilinear sampling. When the map
 * shrinks the image by more than 2x, the source is first halved (box filter) as many times as
 * needed, so the crop is not aliased.
 */
export function warpAffine(src: RgbImage, m: Affine, options: Partial<WarpOptions> & { width: number; height: number }): RgbImage {
  const opts = withDefaults('warpAffine options', { width: 0, height: 0, fill: [128, 128, 128] } as WarpOptions, options);
  integerInRange('width', opts.width, 1, 16384);
  integerInRange('height', opts.height, 1, 16384);
  let img = src;
  let mm = m;
  let scale = affineScale(m);
  while (scale < 0.5 && img.width > 2 && img.height > 2) {
    const fx = img.width / Math.max(1, img.width >> 1);
    const fy = img.height / Math.max(1, img.height >> 1);
    img = halve(img);
    // source coords in the halved image are (x / fx, y / fy): compose the map with that scaling
    mm = [mm[0] * fx, mm[1] * fy, mm[2], mm[3] * fx, mm[4] * fy, mm[5]];
    scale *= 2;
  }
  const inv = invertAffine(mm);
  const { width: W, height: H } = opts;
  const c = img.channels;
  const out = new Uint8Array(W * H * c);
  const sw = img.width;
  const sh = img.height;
  const data = img.data;
  const fill = opts.fill;
  for (let y = 0; y < H; y++) {
    // sample at pixel centres
    const yc = y + 0.5;
    for (let x = 0; x < W; x++) {
      const xc = x + 0.5;
      const sx = inv[0] * xc + inv[1] * yc + inv[2] - 0.5;
      const sy = inv[3] * xc + inv[4] * yc + inv[5] - 0.5;
      const o = (y * W + x) * c;
      if (sx < -0.5 || sy < -0.5 || sx > sw - 0.5 || sy > sh - 0.5) {
        for (let k = 0; k < c; k++) out[o + k] = fill[k] ?? fill[0];
        continue;
      }
      const x0 = Math.max(0, Math.min(sw - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(sh - 1, Math.floor(sy)));
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fx = Math.max(0, Math.min(1, sx - x0));
      const fy = Math.max(0, Math.min(1, sy - y0));
      const i00 = (y0 * sw + x0) * c;
      const i01 = (y0 * sw + x1) * c;
      const i10 = (y1 * sw + x0) * c;
      const i11 = (y1 * sw + x1) * c;
      for (let k = 0; k < c; k++) {
        const top = data[i00 + k] + (data[i01 + k] - data[i00 + k]) * fx;
        const bot = data[i10 + k] + (data[i11 + k] - data[i10 + k]) * fx;
        out[o + k] = Math.round(top + (bot - top) * fy);
      }
    }
  }
  return { data: out, width: W, height: H, channels: c };
}

/** Checks a template's numbers. */
export function validateTemplate(t: AlignTemplate): AlignTemplate {
  integerInRange('template.size', t.size, 32, 4096);
  for (const [name, p] of [['template.rightEye', t.rightEye], ['template.leftEye', t.leftEye]] as const) {
    numberInRange(`${name}[0]`, p[0], 0, 1);
    numberInRange(`${name}[1]`, p[1], 0, 1);
  }
  if (t.rightEye[0] >= t.leftEye[0]) {
    throw new InvalidParameterError('template.rightEye[0]', `a value below template.leftEye[0] (${t.leftEye[0]})`, t.rightEye[0]);
  }
  return t;
}

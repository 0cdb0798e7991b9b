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
  /**
   * Pixels that fall outside the source: 'edge' repeats the nearest edge pixel (no black or grey
   * corners for the averages to smear in; see insideMask to ignore them), or a colour per channel.
   */
  fill: number[] | 'edge';
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

/** The source halved (box filter) while the map shrinks by more than 2x, with the map adjusted. */
function antiAliased(src: RgbImage, m: Affine): { img: RgbImage; mm: Affine } {
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
  return { img, mm };
}

/** The source image's sizes and samples as the bilinear samplers use them. */
function sourceOf(img: RgbImage): { c: number; sw: number; sh: number; data: RgbImage['data']; maxX: number; maxY: number } {
  return { c: img.channels, sw: img.width, sh: img.height, data: img.data, maxX: img.width - 1, maxY: img.height - 1 };
}

/** One bilinear sample: the four source pixels at i00..i11 weighted by the fractions fx, fy. */
function blend(
  data: RgbImage['data'], c: number, out: Uint8Array | Float32Array, o: number,
  i00: number, i01: number, i10: number, i11: number, fx: number, fy: number, scale: number, add: number,
): void {
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  for (let k = 0; k < c; k++) {
    out[o + k] = (data[i00 + k] * w00 + data[i01 + k] * w01 + data[i10 + k] * w10 + data[i11 + k] * w11) * scale + add;
  }
}

/**
 * Bilinear sampling of `img` through `inv` (destination -> source pixels) into `out` from
 * `outOffset`, writing `value * scale + add` per channel. Destination pixels whose source lies
 * outside the image get `fill` (one value per channel), or with fill null the nearest edge pixel.
 */
function sampleBilinear(
  img: RgbImage, inv: Affine, width: number, height: number,
  out: Uint8Array | Float32Array, outOffset: number, scale: number, add: number, fill: ArrayLike<number> | null,
): void {
  const { c, sw, sh, data, maxX, maxY } = sourceOf(img);
  const [a, b, tx, cc, d, ty] = inv;
  if (b === 0 && cc === 0) {
    sampleAxisAligned(sourceOf(img), inv, [width, height], out, outOffset, scale, add, fill);
    return;
  }
  let o = outOffset;
  for (let y = 0; y < height; y++) {
    // sample at pixel centres; source coordinates advance by (a, cc) per destination pixel
    const yc = y + 0.5;
    let sx = a * 0.5 + b * yc + tx - 0.5;
    let sy = cc * 0.5 + d * yc + ty - 0.5;
    for (let x = 0; x < width; x++, sx += a, sy += cc, o += c) {
      if (fill !== null && (sx < -0.5 || sy < -0.5 || sx > sw - 0.5 || sy > sh - 0.5)) {
        for (let k = 0; k < c; k++) out[o + k] = fill[k];
        continue;
      }
      // clamp to the edge pixels (the half-pixel border, or everything outside with fill null)
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = cx | 0;
      const y0 = cy | 0;
      const fx = cx - x0;
      const fy = cy - y0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const i00 = (y0 * sw + x0) * c;
      const i01 = (y0 * sw + x1) * c;
      const i10 = (y1 * sw + x0) * c;
      const i11 = (y1 * sw + x1) * c;
      blend(data, c, out, o, i00, i01, i10, i11, fx, fy, scale, add);
    }
  }
}

/**
 * sampleBilinear for a map without rotation or shear (inv[1] = inv[3] = 0: a scale and a shift, as
 * the nets' square crops): the source column of every destination column and the source row of
 * every destination row are the same on each row, so the clamps, indices and fractions are computed
 * once per column and once per row. The arithmetic is sampleBilinear's, step by step (the same
 * accumulation of the x coordinate, the same weights), so the pixels are identical.
 */
function sampleAxisAligned(
  src: ReturnType<typeof sourceOf>, inv: Affine, [width, height]: [number, number],
  out: Uint8Array | Float32Array, outOffset: number, scale: number, add: number, fill: ArrayLike<number> | null,
): void {
  const { c, sw, sh, data, maxX, maxY } = src;
  const [a, b, tx, cc, d, ty] = inv;
  // per destination column: outside the source, the two source columns (times c) and the fraction
  const colOut = new Uint8Array(width);
  const colX0 = new Int32Array(width);
  const colX1 = new Int32Array(width);
  const colFx = new Float64Array(width);
  // b * yc is +-0 whatever the row (b is 0), so the first row's sequence is every row's
  let sx = a * 0.5 + b * 0.5 + tx - 0.5;
  for (let x = 0; x < width; x++, sx += a) {
    colOut[x] = sx < -0.5 || sx > sw - 0.5 ? 1 : 0;
    const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
    const x0 = cx | 0;
    colX0[x] = x0 * c;
    colX1[x] = (x0 < maxX ? x0 + 1 : x0) * c;
    colFx[x] = cx - x0;
  }
  let o = outOffset;
  for (let y = 0; y < height; y++) {
    // the row's source y (cc is 0: it does not move along the row)
    const yc = y + 0.5;
    const sy = cc * 0.5 + d * yc + ty - 0.5;
    const rowOut = sy < -0.5 || sy > sh - 0.5;
    const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
    const y0 = cy | 0;
    const fy = cy - y0;
    const y1 = y0 < maxY ? y0 + 1 : y0;
    const r0 = y0 * sw * c;
    const r1 = y1 * sw * c;
    for (let x = 0; x < width; x++, o += c) {
      if (fill !== null && (rowOut || colOut[x])) {
        for (let k = 0; k < c; k++) out[o + k] = fill[k];
        continue;
      }
      const fx = colFx[x];
      const i00 = r0 + colX0[x];
      const i01 = r0 + colX1[x];
      const i10 = r1 + colX0[x];
      const i11 = r1 + colX1[x];
      blend(data, c, out, o, i00, i01, i10, i11, fx, fy, scale, add);
    }
  }
}

/**
 * Like warpAffine for a 3-channel image, but writes `value * scale + offset` as float32 into
 * `out` at `outOffset` (a model's input tensor), outside pixels as `offset` (black). Saves the
 * 8-bit intermediate and a conversion pass.
 */
export function warpAffineToFloat(src: RgbImage, m: Affine, width: number, height: number, scale: number, offset: number, out: Float32Array, outOffset = 0): void {
  if (src.channels !== 3) throw new InvalidParameterError('src.channels', '3', src.channels);
  if (out.length < outOffset + width * height * 3) throw new InvalidParameterError('out', `a Float32Array of at least ${outOffset + width * height * 3} values`, out);
  const { img, mm } = antiAliased(src, m);
  sampleBilinear(img, invertAffine(mm), width, height, out, outOffset, scale, offset, [offset, offset, offset]);
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
  const { img, mm } = antiAliased(src, m);
  const { width: W, height: H } = opts;
  const c = img.channels;
  const out = new Uint8Array(W * H * c);
  const fill = opts.fill === 'edge' ? null : Array.from({ length: c }, (_, k) => (opts.fill as number[])[k] ?? (opts.fill as number[])[0]);
  // + 0.5: the Uint8Array store truncates, so this rounds
  sampleBilinear(img, invertAffine(mm), W, H, out, 0, 1, 0.5, fill);
  return { data: out, width: W, height: H, channels: c };
}

/**
 * Which pixels of a crop come from inside the photo: 1 inside, 0 where the crop left the photo
 * (filled by edge replication). `toCrop` maps photo pixels to crop pixels (the manifest's
 * transform, in original photo pixels, with the original width and height).
 */
export function insideMask(toCrop: Affine, photoWidth: number, photoHeight: number, width: number, height = width): Uint8Array {
  const inv = invertAffine(toCrop);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [px, py] = applyAffine(inv, x + 0.5, y + 0.5);
      out[y * width + x] = px >= 0 && py >= 0 && px < photoWidth && py < photoHeight ? 1 : 0;
    }
  }
  return out;
}

/**
 * Share of the region [x0, y0, x1, y1] (crop pixels) that maps inside a w x h photo under
 * `toPhoto`, sampled every `step` pixels.
 */
export function insideShare(toPhoto: Affine, region: [number, number, number, number], w: number, h: number, step = 4): number {
  let inside = 0;
  let total = 0;
  for (let y = region[1]; y < region[3]; y += step) {
    for (let x = region[0]; x < region[2]; x += step) {
      const [px, py] = applyAffine(toPhoto, x + 0.5, y + 0.5);
      total++;
      if (px >= 0 && py >= 0 && px < w && py < h) inside++;
    }
  }
  return total ? inside / total : 0;
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

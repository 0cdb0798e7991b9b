/**
 * Image quality measures of a face, computed on its eye-aligned crop so that every face is
 * measured at the same scale (inter-ocular distance fixed by the template):
 * - sharpness: variance of the Laplacian of the luminance inside the inner face region
 *   (low = blurry or upscaled from a small face);
 * - brightness and contrast: mean and standard deviation of the luminance there (0..1);
 * - colourfulness: mean |R-G| + |G-B| there (0 for a grayscale photo; the grayscale flag).
 */
import type { RgbImage } from './align';

export interface FaceQuality {
  /** Variance of the 4-neighbour Laplacian of luminance (0..255 scale). */
  sharpness: number;
  /** Mean luminance, 0..1. */
  brightness: number;
  /** Standard deviation of luminance, 0..1. */
  contrast: number;
  /** Mean channel difference |R-G|+|G-B| (0..510); near 0 for grayscale photos. */
  colorfulness: number;
  /** True when colourfulness is below the grayscale threshold. */
  grayscale: boolean;
}

/** Colourfulness below this (mean |R-G|+|G-B|, on 0..255 channels) means a grayscale photo. */
export const GRAYSCALE_THRESHOLD = 6;

/** Options of toneSpread (the measure of grayscale and toned photos). */
export interface ToneSpreadOptions {
  /** Sample every `step`-th pixel in both directions. */
  step: number;
  /** Width of the lightness bins (CIELAB L*, 0..100) within which one tone is expected. */
  binWidth: number;
  /** A pixel is off the tone when its (a*, b*) lies farther than this from its bin's mean (CIELAB units). */
  offTone: number;
}

export const TONE_SPREAD_DEFAULTS: ToneSpreadOptions = { step: 2, binWidth: 4, offTone: 8 };

/** How far a photo's colours depart from a single tone (see toneSpread). */
export interface ToneSpread {
  /** Share of the sampled pixels whose chroma departs from the mean chroma at their lightness (0..1). */
  offTone: number;
  /** Mean CIELAB chroma sqrt(a*^2 + b*^2) of the sampled pixels. */
  chroma: number;
  /** Root mean square distance of (a*, b*) from the mean at the pixel's lightness (CIELAB units). */
  residual: number;
}

const SRGB_TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});
const labF = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);

/**
 * How far a photo's colours depart from a single tone, on a whole aligned crop (the face and its
 * surroundings: hair, clothes, background), in CIELAB. A grayscale photo has a* = b* = 0
 * everywhere; a toned one (sepia, cyanotype, selenium, a colour cast on a black-and-white print)
 * has one chroma for each lightness, whatever its hue. So the pixels are grouped by lightness
 * (bins of `binWidth` L*), and a pixel counts as off the tone when its (a*, b*) lies more than
 * `offTone` from its bin's mean: the share of such pixels is near 0 for grayscale and toned
 * photos (JPEG chroma noise only), and large for colour photos, where skin, lips, eyes, hair and
 * background of one lightness differ in colour. Colourfulness alone cannot tell a sepia photo
 * from a pale colour one.
 */
export function toneSpread(img: RgbImage, options: Partial<ToneSpreadOptions> = {}): ToneSpread {
  const o = { ...TONE_SPREAD_DEFAULTS, ...options };
  const c = img.channels;
  const d = img.data;
  const nb = Math.ceil(100 / o.binWidth) + 1;
  const count = new Float64Array(nb);
  const sumA = new Float64Array(nb);
  const sumB = new Float64Array(nb);
  const n = Math.ceil(img.height / o.step) * Math.ceil(img.width / o.step);
  const bin = new Int32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  let k = 0;
  let chroma = 0;
  for (let y = 0; y < img.height; y += o.step) {
    for (let x = 0; x < img.width; x += o.step) {
      const i = (y * img.width + x) * c;
      const r = SRGB_TO_LINEAR[d[i]];
      const g = c >= 3 ? SRGB_TO_LINEAR[d[i + 1]] : r;
      const b = c >= 3 ? SRGB_TO_LINEAR[d[i + 2]] : r;
      // sRGB (D65) -> XYZ relative to the white point -> CIELAB
      const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
      const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
      const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
      const L = 116 * fy - 16;
      const a = 500 * (fx - fy);
      const bb = 200 * (fy - fz);
      const j = Math.max(0, Math.min(nb - 1, Math.floor(L / o.binWidth)));
      bin[k] = j;
      A[k] = a;
      B[k] = bb;
      count[j]++;
      sumA[j] += a;
      sumB[j] += bb;
      chroma += Math.hypot(a, bb);
      k++;
    }
  }
  let off = 0;
  let sq = 0;
  for (let m = 0; m < k; m++) {
    const j = bin[m];
    const da = A[m] - sumA[j] / count[j];
    const db = B[m] - sumB[j] / count[j];
    const e = da * da + db * db;
    sq += e;
    if (e > o.offTone * o.offTone) off++;
  }
  return k > 0 ? { offTone: off / k, chroma: chroma / k, residual: Math.sqrt(sq / k) } : { offTone: 0, chroma: 0, residual: 0 };
}

/** Region [x0, y0, x1, y1] in crop pixels where quality is measured (the inner face). */
export type Region = [number, number, number, number];

/**
 * The inner face region of an aligned crop for a template with the given eye positions:
 * from the brows to the mouth, between the outer eye corners.
 */
export function innerFaceRegion(size: number, rightEye: [number, number], leftEye: [number, number]): Region {
  const iod = (leftEye[0] - rightEye[0]) * size;
  const cx = ((rightEye[0] + leftEye[0]) / 2) * size;
  const ey = ((rightEye[1] + leftEye[1]) / 2) * size;
  const x0 = Math.max(0, Math.round(cx - 0.9 * iod));
  const x1 = Math.min(size, Math.round(cx + 0.9 * iod));
  const y0 = Math.max(0, Math.round(ey - 0.45 * iod));
  const y1 = Math.min(size, Math.round(ey + 1.35 * iod));
  return [x0, y0, x1, y1];
}

/** Measures quality inside `region` of an RGB crop. */
export function measureQuality(img: RgbImage, region: Region): FaceQuality {
  const [x0, y0, x1, y1] = region;
  const w = img.width;
  const c = img.channels;
  const d = img.data;
  const rw = x1 - x0;
  const rh = y1 - y0;
  if (rw < 3 || rh < 3) throw new Error(`quality region too small: ${rw}x${rh}`);
  const lum = new Float32Array(rw * rh);
  let sum = 0;
  let sumSq = 0;
  let colour = 0;
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const i = ((y + y0) * w + (x + x0)) * c;
      const r = d[i];
      const g = c >= 3 ? d[i + 1] : r;
      const b = c >= 3 ? d[i + 2] : r;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      lum[y * rw + x] = l;
      sum += l;
      sumSq += l * l;
      colour += Math.abs(r - g) + Math.abs(g - b);
    }
  }
  const n = rw * rh;
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean);
  const colorfulness = colour / n;
  return {
    sharpness: laplacianVariance(lum, rw, rh),
    brightness: mean / 255,
    contrast: Math.sqrt(variance) / 255,
    colorfulness,
    grayscale: colorfulness < GRAYSCALE_THRESHOLD,
  };
}

/**
 * Brightness of the eyes against the whole inner face: the mean luminance of two boxes around the
 * template's eye positions (half an eye distance wide, a quarter high) over the mean of the inner
 * face region. Open eyes score about 0.5-0.9; sunglasses (or eyes in deep shadow) score far lower
 * (on 3,000 CelebA faces: 2% of faces without glasses under 0.46, a quarter of those with glasses
 * under 0.44, the dark ones under 0.2).
 */
export function eyeBrightness(img: RgbImage, size: number, rightEye: [number, number], leftEye: [number, number], region: Region): number {
  const iod = (leftEye[0] - rightEye[0]) * size;
  const mean = (x0: number, y0: number, x1: number, y1: number): number => {
    const xa = Math.max(0, Math.round(x0)), ya = Math.max(0, Math.round(y0));
    const xb = Math.min(img.width, Math.round(x1)), yb = Math.min(img.height, Math.round(y1));
    let sum = 0;
    let n = 0;
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const i = (y * img.width + x) * img.channels;
        sum += 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
        n++;
      }
    }
    return n ? sum / n : 0;
  };
  const eye = (c: [number, number]) => mean(c[0] * size - 0.25 * iod, c[1] * size - 0.13 * iod, c[0] * size + 0.25 * iod, c[1] * size + 0.13 * iod);
  const face = mean(region[0], region[1], region[2], region[3]);
  return face > 0 ? (eye(rightEye) + eye(leftEye)) / 2 / face : 0;
}

/** Options of the scale-aware sharpness measure (see nativeSharpness). */
export interface NativeSharpnessOptions {
  /**
   * Faces whose eye distance exceeds this (px) are first shrunk (area average) to it, so that a
   * large face and a small one are judged at the same face size; smaller faces are measured as
   * they are (never upsampled: upsampling is what made a small sharp face look blurry).
   */
  referenceEyeDistance: number;
  /** Length of the re-blur box filter, pixels (Crete-Roffet et al. use 9). */
  reblurTaps: number;
  /**
   * Added to the re-blur ratio per halving of the eye distance below the reference: a smaller
   * face has finer detail per pixel and scores sharper than the same face larger. 0.12 makes the
   * CelebA photos downscaled to 2/3 score like the originals (the median shift is 0.06 for
   * 0.58 octave, the 99th percentile's 0.09).
   */
  blurPerOctave: number;
}

export const NATIVE_SHARPNESS_DEFAULTS: NativeSharpnessOptions = { referenceEyeDistance: 40, reblurTaps: 9, blurPerOctave: 0.12 };

/** Scale-aware sharpness of a face, measured on the photo's own pixels. */
export interface NativeSharpness {
  /** The re-blur ratio normalised for the face's size (reblur + blurPerOctave x octaves below the reference). */
  blur: number;
  /**
   * Re-blur ratio (Crete-Roffet et al., 2007): the share of the neighbour-to-neighbour variation
   * that survives a box blur, i.e. how little blurring the face again changes it. 0 = perfectly
   * sharp, 1 = nothing left to blur. The larger of the horizontal and vertical ratios.
   */
  reblur: number;
  /** Variance of the 4-neighbour Laplacian at the measured resolution (0..255 scale). */
  laplacian: number;
  /** Factor applied to the photo before measuring (1 = native pixels, < 1 = shrunk to the reference size). */
  scale: number;
  /** Side lengths of the measured luminance patch. */
  width: number;
  height: number;
}

/** Luminance of `region` (clipped to the image) as a float array. */
function luminance(img: RgbImage, region: Region): { lum: Float32Array; w: number; h: number } {
  const x0 = Math.max(0, Math.floor(region[0]));
  const y0 = Math.max(0, Math.floor(region[1]));
  const x1 = Math.min(img.width, Math.ceil(region[2]));
  const y1 = Math.min(img.height, Math.ceil(region[3]));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const lum = new Float32Array(w * h);
  const c = img.channels;
  const d = img.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = ((y + y0) * img.width + x + x0) * c;
      lum[y * w + x] = c >= 3 ? 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2] : d[i];
    }
  }
  return { lum, w, h };
}

/** Shrinks a single-channel image by `f` (< 1) with an exact area average (no aliasing). */
export function shrinkArea(src: Float32Array, w: number, h: number, f: number): { data: Float32Array; width: number; height: number } {
  const W = Math.max(1, Math.floor(w * f));
  const H = Math.max(1, Math.floor(h * f));
  const sx = w / W;
  const sy = h / H;
  // separable: rows first, then columns; each output sample averages the covered source span
  const spans = (n: number, s: number, len: number): { i0: number; i1: number; w0: number; w1: number }[] => {
    const out = [];
    for (let k = 0; k < n; k++) {
      const a = k * s;
      const b = Math.min((k + 1) * s, len);
      out.push({ i0: Math.floor(a), i1: Math.min(Math.ceil(b) - 1, len - 1), w0: a, w1: b });
    }
    return out;
  };
  const cols = spans(W, sx, w);
  const rows = spans(H, sy, h);
  const tmp = new Float32Array(W * h);
  for (let y = 0; y < h; y++) {
    for (let X = 0; X < W; X++) {
      const { i0, i1, w0, w1 } = cols[X];
      let acc = 0;
      for (let i = i0; i <= i1; i++) acc += src[y * w + i] * (Math.min(i + 1, w1) - Math.max(i, w0));
      tmp[y * W + X] = acc / sx;
    }
  }
  const out = new Float32Array(W * H);
  for (let Y = 0; Y < H; Y++) {
    const { i0, i1, w0, w1 } = rows[Y];
    for (let X = 0; X < W; X++) {
      let acc = 0;
      for (let i = i0; i <= i1; i++) acc += tmp[i * W + X] * (Math.min(i + 1, w1) - Math.max(i, w0));
      out[Y * W + X] = acc / sy;
    }
  }
  return { data: out, width: W, height: H };
}

/** Crete-Roffet re-blur ratio of a luminance patch (0 sharp .. 1 blurry); NaN when too small. */
export function reblurRatio(lum: Float32Array, w: number, h: number, taps = 9): number {
  if (w < taps + 2 || h < taps + 2) return NaN;
  const r = Math.floor(taps / 2);
  const ratio = (horizontal: boolean): number => {
    // blur along the direction, compare absolute neighbour differences before and after
    const n = horizontal ? w : h;
    const m = horizontal ? h : w;
    const at = (line: number, k: number): number => (horizontal ? lum[line * w + k] : lum[k * w + line]);
    let sF = 0;
    let sV = 0;
    const blurred = new Float32Array(n);
    for (let line = 0; line < m; line++) {
      // box filter with edge replication, as a running sum
      let acc = 0;
      for (let t = -r; t <= r; t++) acc += at(line, t < 0 ? 0 : t >= n ? n - 1 : t);
      for (let k = 0; k < n; k++) {
        blurred[k] = acc / taps;
        const add = k + r + 1;
        const drop = k - r;
        acc += at(line, add >= n ? n - 1 : add) - at(line, drop < 0 ? 0 : drop);
      }
      // skip the borders that the filter reached by replication
      for (let k = r + 1; k < n - r; k++) {
        const dF = Math.abs(at(line, k) - at(line, k - 1));
        const dB = Math.abs(blurred[k] - blurred[k - 1]);
        sF += dF;
        sV += Math.max(0, dF - dB);
      }
    }
    return sF > 0 ? (sF - sV) / sF : 1;
  };
  return Math.max(ratio(true), ratio(false));
}

/** Variance of the 4-neighbour Laplacian of a luminance patch (interior pixels). */
export function laplacianVariance(lum: Float32Array, w: number, h: number): number {
  let ls = 0;
  let lss = 0;
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = lum[i - 1] + lum[i + 1] + lum[i - w] + lum[i + w] - 4 * lum[i];
      ls += v;
      lss += v * v;
      m++;
    }
  }
  if (m === 0) return 0;
  const lm = ls / m;
  return Math.max(0, lss / m - lm * lm);
}

/**
 * Scale-aware sharpness of a face: measured on `region` of the photo (the inner face, in photo
 * pixels, axis-aligned: no resampling), shrunk to the reference eye distance when the face is
 * larger, never enlarged (a smaller face's ratio is normalised by blurPerOctave instead).
 * `eyeDistance` is the face's eye distance in the image's pixels.
 */
export function nativeSharpness(img: RgbImage, region: Region, eyeDistance: number, options: Partial<NativeSharpnessOptions> = {}): NativeSharpness {
  const o = { ...NATIVE_SHARPNESS_DEFAULTS, ...options };
  let { lum, w, h } = luminance(img, region);
  const scale = eyeDistance > o.referenceEyeDistance ? o.referenceEyeDistance / eyeDistance : 1;
  if (scale < 1 && w > 0 && h > 0) {
    const s = shrinkArea(lum, w, h, scale);
    lum = s.data;
    w = s.width;
    h = s.height;
  }
  const reblur = reblurRatio(lum, w, h, o.reblurTaps);
  const octaves = eyeDistance > 0 && eyeDistance < o.referenceEyeDistance ? Math.log2(o.referenceEyeDistance / eyeDistance) : 0;
  return { blur: reblur + o.blurPerOctave * octaves, reblur, laplacian: laplacianVariance(lum, w, h), scale, width: w, height: h };
}

/** The axis-aligned box (photo pixels) around a crop region mapped back by `toPhoto`, clipped to the photo. */
export function regionInPhoto(toPhoto: readonly number[], region: Region, width: number, height: number): Region {
  // the centre maps exactly; the half-extents scale with the similarity's scale (for a rolled face
  // the box stays the size of the inner face rather than the rotated corners' larger box)
  const [a, b, tx, c, d, ty] = toPhoto;
  const s = Math.sqrt(Math.abs(a * d - b * c));
  const cx = (region[0] + region[2]) / 2;
  const cy = (region[1] + region[3]) / 2;
  const px = a * cx + b * cy + tx;
  const py = c * cx + d * cy + ty;
  const hw = ((region[2] - region[0]) / 2) * s;
  const hh = ((region[3] - region[1]) / 2) * s;
  return [
    Math.max(0, Math.round(px - hw)), Math.max(0, Math.round(py - hh)),
    Math.min(width, Math.round(px + hw)), Math.min(height, Math.round(py + hh)),
  ];
}

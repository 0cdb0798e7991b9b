/**
 * Crispness of an average face: one number, comparable between images of any size.
 *
 * The image is resampled (bilinear) so that its eye centres land at a fixed eye distance `D`
 * (64 px by default), level; in that frame the region of the eyes, nose and mouth (from 0.4 D above
 * the eyes to 1.4 D below them, 0.8 D left and right of their midpoint: brows to lips, little skin
 * beside the cheeks, no hair, no background) is taken in luminance (Rec. 601, 0..255), and the
 * result is the root mean square of its gradient (central differences): grey levels per pixel at
 * that eye distance. A sharp average (eyelids, nostrils, lip edges in place) scores high; a blurred
 * one (the pixel mean of misaligned mouths) scores low. Sharpening raises it too, so display
 * versions (upscaled and unsharp-masked) and raw averages are reported apart.
 */
import { InvalidParameterError, numberInRange, withDefaults } from '../validate';
import { eyeIndices } from './shapes';
import type { FloatImage, RgbImage } from './types';

export interface CrispnessOptions {
  /** Eye distance of the measuring frame, in pixels. */
  eyeDistance?: number;
  /** Region above the eyes, in eye distances. */
  above?: number;
  /** Region below the eyes, in eye distances. */
  below?: number;
  /** Half width of the region, in eye distances. */
  halfWidth?: number;
}

/** Defaults of crispness(). */
export const CRISPNESS_DEFAULTS: Required<CrispnessOptions> = { eyeDistance: 64, above: 0.4, below: 1.4, halfWidth: 0.8 };

export type Point = readonly [number, number];

/**
 * RMS luminance gradient of the eyes-nose-mouth region at a fixed eye distance (see the module
 * comment). `rightEye` is the subject's right eye (image left), in the image's pixels.
 */
export function crispness(image: RgbImage | FloatImage, rightEye: Point, leftEye: Point, options?: CrispnessOptions): number {
  const o = withDefaults('crispness options', CRISPNESS_DEFAULTS, options);
  const D = numberInRange('eyeDistance', o.eyeDistance, 8, 1024);
  const { data, width, height } = image;
  if (!data || data.length !== width * height * 3) throw new InvalidParameterError('image', 'an RGB image (width x height x 3 values)', image);
  const ex = leftEye[0] - rightEye[0];
  const ey = leftEye[1] - rightEye[1];
  const dist = Math.hypot(ex, ey);
  if (!(dist > 1)) throw new InvalidParameterError('eyes', 'two eye centres more than 1 px apart', `${rightEye} and ${leftEye}`);
  // measuring frame -> image: unit vectors along and across the eyes, scaled by dist / D
  const s = dist / D;
  const ux = (ex / dist) * s;
  const uy = (ey / dist) * s;
  const mx = (rightEye[0] + leftEye[0]) / 2;
  const my = (rightEye[1] + leftEye[1]) / 2;
  const x0 = -o.halfWidth * D;
  const y0 = -o.above * D;
  const w = Math.round(2 * o.halfWidth * D);
  const h = Math.round((o.above + o.below) * D);
  const lum = new Float64Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const fx = x0 + i;
      const fy = y0 + j;
      const x = mx + fx * ux - fy * uy;
      const y = my + fx * uy + fy * ux;
      lum[j * w + i] = sampleLuma(data, width, height, x, y);
    }
  }
  let sum = 0;
  let n = 0;
  for (let j = 1; j < h - 1; j++) {
    for (let i = 1; i < w - 1; i++) {
      const gx = (lum[j * w + i + 1] - lum[j * w + i - 1]) / 2;
      const gy = (lum[(j + 1) * w + i] - lum[(j - 1) * w + i]) / 2;
      sum += gx * gx + gy * gy;
      n++;
    }
  }
  return Math.sqrt(sum / n);
}

/** Bilinear luminance at (x, y), clamped to the image. */
function sampleLuma(data: ArrayLike<number>, width: number, height: number, x: number, y: number): number {
  x = Math.min(width - 1, Math.max(0, x));
  y = Math.min(height - 1, Math.max(0, y));
  const xi = Math.min(width - 2, Math.floor(x));
  const yi = Math.min(height - 2, Math.floor(y));
  const fx = x - xi;
  const fy = y - yi;
  const luma = (k: number) => 0.299 * data[3 * k] + 0.587 * data[3 * k + 1] + 0.114 * data[3 * k + 2];
  const k = yi * width + xi;
  return (1 - fy) * ((1 - fx) * luma(k) + fx * luma(k + 1)) + fy * ((1 - fx) * luma(k + width) + fx * luma(k + width + 1));
}

/** Eye centres of a shape (68 or 468/478 points, x, y in pixels): [right eye (image left), left eye]; null for other layouts. */
export function shapeEyes(points: ArrayLike<number>): [Point, Point] | null {
  const idx = eyeIndices(points.length / 2);
  if (!idx) return null;
  const mean = (ids: number[]): Point => {
    let x = 0;
    let y = 0;
    for (const i of ids) {
      x += points[2 * i];
      y += points[2 * i + 1];
    }
    return [x / ids.length, y / ids.length];
  };
  return [mean(idx.imageLeft), mean(idx.imageRight)];
}

/**
 * Face region mask and composition over a neutral background.
 *
 * The photos' backgrounds (walls, other people, sky) differ from face to face: averaged, they make
 * a muddy halo that draws the eye away from the face. Each average is therefore composed over a
 * neutral background (mid grey by default) with a mask built on the TARGET shape (the mean shape
 * the faces were warped to), so one mask serves every face of the group:
 *  1. the convex hull of the target's landmarks;
 *  2. extended upwards to take in the forehead and hairline, which landmarks do not reach (68
 *     points stop at the brows, the 468-point mesh at the upper forehead): hull points above the
 *     centroid are copied and lifted by `forehead` x the landmarks' height, most at the top and
 *     less towards the sides, a dome over the brows; `'auto'` lifts 30% for 68 points, 5% for
 *     468/478 points and 15% otherwise;
 *  3. optionally grown by `expand` (a fraction of the image width);
 *  4. feathered with a distance-based edge: the weight is 1 inside, then falls smoothly
 *     (smoothstep of the Euclidean distance to the hull) to 0 at `feather` (a fraction of the image
 *     width) outside it. Distance-based rather than a Gaussian blur of a binary mask: the inside
 *     stays exactly 1 and the fade has the same width all round, for any image size.
 */
import { DEFAULT_TEMPLATE } from '../faces/align';
import { InvalidParameterError, integerInRange, numberInRange, withDefaults } from '../validate';
import { convexHull } from './geometry';

export interface MaskOptions {
  /** Image width. */
  width?: number;
  /** Image height (default: the width). */
  height?: number | null;
  /** Width of the fade outside the hull, as a fraction of the image width. */
  feather?: number;
  /** Growth of the hull before the fade, as a fraction of the image width (negative shrinks). */
  expand?: number;
  /** Upward extension for the forehead, a fraction of the landmarks' height, or 'auto'. */
  forehead?: number | 'auto';
}

/** Defaults of faceMask(). */
export const MASK_DEFAULTS: Required<MaskOptions> = {
  width: DEFAULT_TEMPLATE.size,
  height: null,
  feather: 0.06,
  expand: 0,
  forehead: 'auto',
};

/** The forehead extension 'auto' stands for, by point count. */
export function autoForehead(pointCount: number): number {
  if (pointCount === 68) return 0.3;
  if (pointCount === 468 || pointCount === 478) return 0.05;
  return 0.15;
}

/** The polygon of the face region: hull of the landmarks and the forehead dome, counter-clockwise on screen. */
export function faceOutline(points: ArrayLike<number>, forehead: number | 'auto' = 'auto'): Float32Array {
  const n = points.length / 2;
  const lift = forehead === 'auto' ? autoForehead(n) : numberInRange('forehead', forehead, 0, 2);
  const hull = convexHull(points);
  let minY = Infinity;
  let maxY = -Infinity;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    const y = points[2 * i + 1];
    cy += y;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  cy /= n;
  const extended: number[] = [];
  for (const i of hull) extended.push(points[2 * i], points[2 * i + 1]);
  if (lift > 0 && cy > minY) {
    const h = maxY - minY;
    for (const i of hull) {
      const y = points[2 * i + 1];
      if (y >= cy) continue;
      const w = (cy - y) / (cy - minY);
      extended.push(points[2 * i], y - lift * h * w);
    }
  }
  const outline = convexHull(extended);
  const out = new Float32Array(2 * outline.length);
  outline.forEach((i, k) => {
    out[2 * k] = extended[2 * i];
    out[2 * k + 1] = extended[2 * i + 1];
  });
  return out;
}

/**
 * Per-pixel weight of the face region (1 inside, 0 in the background, a smooth edge between) for
 * a target shape `points` in the pixels of a width x height image. See the module comment.
 */
export function faceMask(points: ArrayLike<number>, options?: MaskOptions): Float32Array {
  const o = withDefaults('faceMask options', MASK_DEFAULTS, options);
  const width = integerInRange('width', o.width, 1);
  const height = integerInRange('height', o.height ?? width, 1);
  const feather = numberInRange('feather', o.feather, 0, 1) * width;
  const expand = numberInRange('expand', o.expand, -1, 1) * width;
  if (!points || typeof points.length !== 'number' || points.length < 6 || points.length % 2 !== 0) {
    throw new InvalidParameterError('points', 'x, y coordinates of at least 3 points', points);
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new InvalidParameterError(`points[${i}]`, 'finite number', points[i]);
  }
  const poly = faceOutline(points, o.forehead);
  const m = poly.length / 2;
  // edge unit normals pointing inwards (counter-clockwise on screen: interior where orientedArea > 0)
  const ex = new Float64Array(m);
  const ey = new Float64Array(m);
  const len = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const j = (k + 1) % m;
    ex[k] = poly[2 * j] - poly[2 * k];
    ey[k] = poly[2 * j + 1] - poly[2 * k + 1];
    len[k] = Math.hypot(ex[k], ey[k]) || 1;
  }
  const alpha = new Float32Array(width * height);
  // pixels beyond the fade around the polygon's bounding box stay 0
  const reach = Math.max(0, expand + feather);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < m; k++) {
    x0 = Math.min(x0, poly[2 * k]);
    x1 = Math.max(x1, poly[2 * k]);
    y0 = Math.min(y0, poly[2 * k + 1]);
    y1 = Math.max(y1, poly[2 * k + 1]);
  }
  const ys = Math.max(0, Math.floor(y0 - reach));
  const ye = Math.min(height - 1, Math.ceil(y1 + reach));
  const xs = Math.max(0, Math.floor(x0 - reach));
  const xe = Math.min(width - 1, Math.ceil(x1 + reach));
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      // signed distance to the polygon (negative inside): inside, the distance to the nearest
      // edge line; outside, the distance to the nearest edge segment
      let inside = Infinity;
      for (let k = 0; k < m; k++) {
        // 2 * orientedArea(a, b, p) / |ab|: distance to the edge line, positive on the inner side
        const s = ((x - poly[2 * k]) * ey[k] - ex[k] * (y - poly[2 * k + 1])) / len[k];
        if (s < inside) inside = s;
      }
      let d: number;
      if (m >= 3 && inside >= 0) d = -inside;
      else {
        d = Infinity;
        for (let k = 0; k < m; k++) {
          const dx = x - poly[2 * k];
          const dy = y - poly[2 * k + 1];
          const t = Math.max(0, Math.min(1, (dx * ex[k] + dy * ey[k]) / (len[k] * len[k])));
          const e = Math.hypot(dx - t * ex[k], dy - t * ey[k]);
          if (e < d) d = e;
        }
      }
      d -= expand;
      let a: number;
      if (d <= 0) a = 1;
      else if (d >= feather) a = 0;
      else {
        const t = 1 - d / feather;
        a = t * t * (3 - 2 * t);
      }
      alpha[y * width + x] = a;
    }
  }
  return alpha;
}

/**
 * Composes RGB values (`image`, floats in [0, 255]) over a constant background with per-pixel
 * weights `alpha` (null: no background, the image as is); returns rounded 8-bit RGB.
 */
export function composeOver(
  image: ArrayLike<number>,
  alpha: ArrayLike<number> | null,
  background: readonly [number, number, number],
): Uint8Array {
  const n = image.length / 3;
  if (alpha && alpha.length !== n) throw new InvalidParameterError('alpha', `${n} weights`, alpha);
  const out = new Uint8Array(image.length);
  for (let i = 0; i < n; i++) {
    const a = alpha ? alpha[i] : 1;
    for (let c = 0; c < 3; c++) {
      const v = Math.round(a * image[3 * i + c] + (1 - a) * background[c]);
      out[3 * i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

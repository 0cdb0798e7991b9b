/**
 * Landmark shapes: the validity check of one face's landmarks, and mean shapes.
 *
 * Validity. A face whose landmarks are broken would smear the average, so it is skipped and
 * counted by reason (see `SkipReason`). In order:
 *  1. `wrong-point-count`: not the expected number of points;
 *  2. `non-finite`: a NaN or infinite coordinate;
 *  3. `outside-image`: a point more than `margin` (a fraction of the image size) outside the image;
 *  4. `bad-scale`, against a reference shape (the coordinate-wise median of the faces, robust to
 *     the few broken ones) and its Delaunay triangulation: the face's total triangle area must be
 *     within a factor `maxScale` of the reference's (collapsed or exploded landmarks);
 *  5. `eyes-swapped`: for the known layouts (68 iBUG points, 468/478 MediaPipe mesh points) the eye
 *     on the image's left is to the right of the other one;
 *  6. `flipped-triangles`, against the reference: the triangles of its triangulation that are
 *     folded over (negative orientation when the reference triangulation is mapped onto this
 *     face) may cover at most `maxFlipped` of the area. A fraction and not "no flipped triangle at
 *     all": dense meshes have slivers (closed inner lips, the jaw line) that flip with a pixel of
 *     landmark noise on perfectly good faces, whereas crossed geometry (swapped or mirrored points)
 *     folds large triangles.
 *
 * Mean shape. The crops are already eye-aligned, so the plain coordinate mean of the landmarks is
 * in the crop frame and is what the averages are warped to (the default). `procrustes: true`
 * runs a generalised Procrustes analysis first (similarity alignment of every shape to the
 * running mean: translation, rotation, scale, iterated to convergence), which removes what
 * pose and scale variation the eye alignment left; the Procrustes mean is then placed back in the
 * crop frame by the similarity that best maps it onto the plain mean. It changes little on
 * eye-aligned crops (sub-pixel to a few pixels at the chin) and needs every shape in memory.
 */
import { DataError, integerInRange, InvalidParameterError, numberInRange, withDefaults } from '../validate';
import { delaunay } from './delaunay';
import { triangleArea, centroid } from './geometry';
import type { SkipReason } from './types';

/**
 * Landmark indices of the eye on the image's left (the subject's right eye) and on the image's
 * right, for the layouts we know; null for other point counts (no eye check).
 */
export function eyeIndices(pointCount: number): { imageLeft: number[]; imageRight: number[] } | null {
  if (pointCount === 68) {
    return { imageLeft: [36, 37, 38, 39, 40, 41], imageRight: [42, 43, 44, 45, 46, 47] };
  }
  if (pointCount === 468 || pointCount === 478) {
    // MediaPipe face mesh: 33/133 corners, 159/145 lids of the subject's right eye; 263/362, 386/374 left
    return { imageLeft: [33, 133, 159, 145], imageRight: [263, 362, 386, 374] };
  }
  return null;
}

/** A reference shape and its triangulation, for the area and fold checks. */
export interface ShapeReference {
  /** Reference landmarks (the coordinate-wise median of a sample of valid faces). */
  points: Float32Array;
  /** Delaunay triangulation of the landmarks alone, 3 indices per triangle, all positive. */
  triangles: Uint32Array;
  /** Total area of the triangles on the reference, in square pixels. */
  area: number;
}

export interface ShapeCheckOptions {
  /** Width of the image the points are in. */
  width: number;
  /** Height of the image the points are in. */
  height: number;
  /** Expected number of points (default: any count of at least 3 points). */
  pointCount?: number | null;
  /** How far points may lie outside the image, as a fraction of its size. */
  margin?: number;
  /** Reference for the area and fold checks (default: none, those checks are skipped). */
  reference?: ShapeReference | null;
  /** Largest allowed fraction of folded triangle area. */
  maxFlipped?: number;
  /** Largest allowed ratio between the face's triangle area and the reference's (either way). */
  maxScale?: number;
}

/** Defaults of checkShape(). */
export const SHAPE_CHECK_DEFAULTS = {
  /** Points may lie up to a quarter of the image size outside it (a jaw below a tight crop). */
  margin: 0.25,
  /** At most 5% of the triangle area may be folded over. */
  maxFlipped: 0.05,
  /** The landmark area may be at most 3x larger or smaller than the reference's. */
  maxScale: 3,
} as const;

/**
 * Checks one face's landmarks; returns null when they are usable, else the reason to skip it.
 * The cheap checks (count, finite, inside, eyes) need no reference.
 */
export function checkShape(points: ArrayLike<number>, options: ShapeCheckOptions): SkipReason | null {
  const width = numberInRange('width', options.width, 1);
  const height = numberInRange('height', options.height, 1);
  const margin = options.margin ?? SHAPE_CHECK_DEFAULTS.margin;
  const n2 = points.length;
  const expected = options.pointCount ?? null;
  if (n2 % 2 !== 0 || n2 < 6 || (expected !== null && n2 !== 2 * expected)) return 'wrong-point-count';
  for (let i = 0; i < n2; i++) if (!Number.isFinite(points[i])) return 'non-finite';
  const mx = margin * width;
  const my = margin * height;
  for (let i = 0; i < n2; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    if (x < -0.5 - mx || x > width - 0.5 + mx || y < -0.5 - my || y > height - 0.5 + my) return 'outside-image';
  }
  const ref = options.reference;
  let total = 0;
  let folded = 0;
  if (ref) {
    if (ref.points.length !== n2) return 'wrong-point-count';
    const t = ref.triangles;
    for (let k = 0; k < t.length; k += 3) {
      const a = triangleArea(points, t[k], t[k + 1], t[k + 2]);
      if (a < 0) {
        folded -= a;
        total -= a;
      } else total += a;
    }
    const maxScale = options.maxScale ?? SHAPE_CHECK_DEFAULTS.maxScale;
    if (!(total * maxScale >= ref.area && total <= ref.area * maxScale)) return 'bad-scale';
  }
  const eyes = eyeIndices(n2 / 2);
  if (eyes) {
    let l = 0;
    let r = 0;
    for (const i of eyes.imageLeft) l += points[2 * i];
    for (const i of eyes.imageRight) r += points[2 * i];
    if (l / eyes.imageLeft.length >= r / eyes.imageRight.length) return 'eyes-swapped';
  }
  if (ref && folded > (options.maxFlipped ?? SHAPE_CHECK_DEFAULTS.maxFlipped) * total) return 'flipped-triangles';
  return null;
}

/** Checks that `shapes` is a non-empty list of coordinate arrays of one even length; returns it. */
function shapeLength(what: string, shapes: readonly ArrayLike<number>[]): number {
  if (!Array.isArray(shapes)) throw new InvalidParameterError(what, 'array of point arrays', shapes);
  if (shapes.length === 0) throw new DataError(`${what} is empty: at least one shape is needed`);
  const n2 = shapes[0]?.length;
  if (typeof n2 !== 'number' || n2 < 6 || n2 % 2 !== 0) {
    throw new InvalidParameterError(`${what}[0]`, 'x, y coordinates of at least 3 points', shapes[0]);
  }
  for (let s = 1; s < shapes.length; s++) {
    if (shapes[s]?.length !== n2) {
      throw new InvalidParameterError(`${what}[${s}]`, `${n2} coordinates like ${what}[0]`, shapes[s]);
    }
  }
  return n2;
}

/**
 * Reference shape for checkShape(): the coordinate-wise median of `shapes` (robust to a few broken
 * ones) and the Delaunay triangulation of its landmarks.
 */
export function shapeReference(shapes: readonly ArrayLike<number>[]): ShapeReference {
  const n2 = shapeLength('shapes', shapes);
  const points = new Float32Array(n2);
  const column = new Float64Array(shapes.length);
  for (let i = 0; i < n2; i++) {
    for (let s = 0; s < shapes.length; s++) column[s] = shapes[s][i];
    column.sort();
    const m = column.length >> 1;
    points[i] = column.length % 2 ? column[m] : (column[m - 1] + column[m]) / 2;
  }
  const all = delaunay(points).triangles;
  // drop slivers with no area (collinear points): they carry no orientation
  const keep: number[] = [];
  let area = 0;
  for (let k = 0; k < all.length; k += 3) {
    const a = triangleArea(points, all[k], all[k + 1], all[k + 2]);
    if (a > 1e-6) {
      keep.push(all[k], all[k + 1], all[k + 2]);
      area += a;
    }
  }
  if (keep.length === 0) throw new DataError('the reference shape has no triangle of positive area (all points collinear?)');
  return { points, triangles: Uint32Array.from(keep), area };
}

export interface MeanShapeOptions {
  /** Generalised Procrustes alignment before averaging (see the module comment). */
  procrustes?: boolean;
  /** Iteration cap of the Procrustes alignment. */
  iterations?: number;
  /** Convergence threshold: change of the normalised mean between iterations. */
  tolerance?: number;
}

/** Defaults of meanShape(). */
export const MEAN_SHAPE_DEFAULTS: Required<MeanShapeOptions> = {
  procrustes: false,
  iterations: 50,
  tolerance: 1e-7,
};

/**
 * Mean of landmark shapes that are already in a common frame (the eye-aligned crop): the plain
 * coordinate mean, or with `procrustes: true` the generalised Procrustes mean placed back in the
 * crop frame. Throws DataError on an empty list.
 */
export function meanShape(shapes: readonly ArrayLike<number>[], options?: MeanShapeOptions): Float32Array {
  const o = withDefaults('meanShape options', MEAN_SHAPE_DEFAULTS, options);
  const n2 = shapeLength('shapes', shapes);
  const plain = new Float64Array(n2);
  for (const s of shapes) for (let i = 0; i < n2; i++) plain[i] += s[i];
  for (let i = 0; i < n2; i++) plain[i] /= shapes.length;
  for (let i = 0; i < n2; i++) {
    if (!Number.isFinite(plain[i])) throw new DataError(`shapes contain a non-finite coordinate (mean of coordinate ${i} is ${plain[i]})`);
  }
  if (!o.procrustes || shapes.length < 2) return Float32Array.from(plain);
  integerInRange('iterations', o.iterations, 1);
  numberInRange('tolerance', o.tolerance, 0);
  const normalised = shapes.map((s) => normalise(Float64Array.from(s as ArrayLike<number>)));
  let mean = normalise(Float64Array.from(normalised[0]));
  const aligned = normalised.map((s) => new Float64Array(s));
  for (let it = 0; it < o.iterations; it++) {
    const next = new Float64Array(n2);
    for (let s = 0; s < normalised.length; s++) {
      similarityInto(normalised[s], mean, aligned[s]);
      for (let i = 0; i < n2; i++) next[i] += aligned[s][i];
    }
    normalise(next);
    // keep the mean's orientation tied to the previous one (normalise() does not rotate)
    const fitted = new Float64Array(n2);
    similarityInto(next, mean, fitted);
    let change = 0;
    for (let i = 0; i < n2; i++) change += (fitted[i] - mean[i]) ** 2;
    mean = normalise(fitted);
    if (Math.sqrt(change) < o.tolerance) break;
  }
  const out = new Float64Array(n2);
  similarityInto(mean, plain, out);
  return Float32Array.from(out);
}

/** Centres a shape at the origin and scales it to unit norm, in place. */
function normalise(s: Float64Array): Float64Array {
  const n = s.length / 2;
  const [cx, cy] = centroid(s);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    s[2 * i] -= cx;
    s[2 * i + 1] -= cy;
    norm += s[2 * i] ** 2 + s[2 * i + 1] ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < s.length; i++) s[i] /= norm;
  return s;
}

/**
 * Writes into `out` the similarity transform (scale, rotation, translation) of `from` that best
 * fits `to` in the least-squares sense.
 */
function similarityInto(from: ArrayLike<number>, to: ArrayLike<number>, out: Float64Array): void {
  const n = from.length / 2;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i];
    fy += from[2 * i + 1];
    tx += to[2 * i];
    ty += to[2 * i + 1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let sxx = 0;
  let sxy = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i] - fx;
    const y = from[2 * i + 1] - fy;
    const u = to[2 * i] - tx;
    const v = to[2 * i + 1] - ty;
    sxx += x * u + y * v;
    sxy += x * v - y * u;
    ss += x * x + y * y;
  }
  const a = ss > 0 ? sxx / ss : 1;
  const b = ss > 0 ? sxy / ss : 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i] - fx;
    const y = from[2 * i + 1] - fy;
    out[2 * i] = a * x - b * y + tx;
    out[2 * i + 1] = b * x + a * y + ty;
  }
}

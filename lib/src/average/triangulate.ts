/**
 * Triangulation of a target shape for the piecewise-affine warp.
 *
 * The mesh's points are the shape's landmarks, then an optional ring of points around the face,
 * then points on the image frame:
 *  - border points: `borderPoints` (>= 8: the four corners and points spread evenly along the
 *    sides) on the outer edge of the image, [-0.5, width - 0.5] x [-0.5, height - 0.5] (pixel
 *    centres are at integer coordinates). They are at the same relative place on every image, so
 *    the warp leaves the frame where it is and the mesh covers every pixel;
 *  - ring points (`ring` > 0): each landmark of the layout's convex hull pushed away from the
 *    landmarks' centroid by the factor `ring` (1.3: 30% further out). They move with each face,
 *    so the forehead, hair and neck just outside the landmarks follow the face instead of being
 *    stretched between the landmarks and the fixed frame. Off by default.
 * A face's own extended points (`extendPoints`) are built by the same rule from its landmarks, so
 * a face and a target share point indices and the target's triangles.
 *
 * The triangulation is delaunator's Delaunay triangulation of the target's extended points,
 * computed once per target shape (never per face). Its triangles are counter-clockwise on screen
 * (positive `orientedArea`); triangles without area (collinear points) are dropped.
 */
import { DEFAULT_TEMPLATE } from '../faces/align';
import { integerInRange, InvalidParameterError, numberInRange, withDefaults } from '../validate';
import { delaunay } from './delaunay';
import { centroid, convexHull, triangleArea } from './geometry';

/** Which extra points a mesh adds to the landmarks; shared by a face and its target. */
export interface MeshLayout {
  /** Number of landmarks (the first points of the mesh). */
  landmarkCount: number;
  /** Landmark indices the ring points are built from (empty when there is no ring). */
  ringIndices: Uint32Array;
  /** Distance factor of the ring points from the landmarks' centroid (0: no ring). */
  ringScale: number;
  /** Number of points on the image frame. */
  borderPoints: number;
}

/** A triangulated target shape. */
export interface FaceMesh extends MeshLayout {
  /** Size of the image the mesh lives in. */
  width: number;
  height: number;
  /** All points x0, y0, ...: landmarks, then ring points, then border points. */
  points: Float32Array;
  /** Delaunay triangles, 3 point indices each, counter-clockwise on screen. */
  triangles: Uint32Array;
}

export interface TriangulateOptions {
  /** Width of the image frame. */
  width?: number;
  /** Height of the image frame (default: the width). */
  height?: number | null;
  /** Points on the image frame, at least 8 (corners included). */
  borderPoints?: number;
  /** Ring scale (0: no ring; 1.3: ring points 30% further from the centroid than the hull). */
  ring?: number;
  /** Landmark indices to build the ring from (default: the convex hull of `points`). Pass a
   *  mesh's `ringIndices` to give several targets the same layout. */
  ringIndices?: ArrayLike<number> | null;
}

/** Defaults of triangulate(). */
export const TRIANGULATE_DEFAULTS: Required<TriangulateOptions> = {
  width: DEFAULT_TEMPLATE.size,
  height: null,
  borderPoints: 16,
  ring: 0,
  ringIndices: null,
};

/**
 * `count` points on the outer edge of a width x height image ([-0.5, width - 0.5] x
 * [-0.5, height - 0.5]): the corners, then the remaining points spread evenly over the sides.
 */
export function framePoints(count: number, width: number, height: number): Float32Array {
  integerInRange('borderPoints', count, 8);
  const x0 = -0.5;
  const y0 = -0.5;
  const x1 = width - 0.5;
  const y1 = height - 0.5;
  // sides in order: top (left to right), right (down), bottom (right to left), left (up)
  const corners: [number, number][] = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  const out = new Float32Array(2 * count);
  const extra = count - 4;
  let k = 0;
  for (let side = 0; side < 4; side++) {
    const [ax, ay] = corners[side];
    const [bx, by] = corners[(side + 1) % 4];
    const m = Math.floor(extra / 4) + (side < extra % 4 ? 1 : 0);
    for (let j = 0; j <= m; j++) {
      const t = j / (m + 1);
      out[k++] = ax + t * (bx - ax);
      out[k++] = ay + t * (by - ay);
    }
  }
  return out;
}

/**
 * A face's points extended by the layout's ring and frame points (same indices as the target
 * mesh): landmarks as given, ring points from these landmarks, frame points of a width x height
 * image.
 */
export function extendPoints(points: ArrayLike<number>, layout: MeshLayout, width: number, height: number): Float32Array {
  const n = layout.landmarkCount;
  if (points.length !== 2 * n) {
    throw new InvalidParameterError('points', `${2 * n} coordinates (${n} landmarks, as the mesh)`, points);
  }
  const ringCount = layout.ringScale > 0 ? layout.ringIndices.length : 0;
  const out = new Float32Array(2 * (n + ringCount + layout.borderPoints));
  for (let i = 0; i < 2 * n; i++) out[i] = points[i];
  if (ringCount > 0) {
    const [cx, cy] = centroid(points);
    const s = layout.ringScale;
    for (let r = 0; r < ringCount; r++) {
      const i = layout.ringIndices[r];
      out[2 * (n + r)] = cx + s * (points[2 * i] - cx);
      out[2 * (n + r) + 1] = cy + s * (points[2 * i + 1] - cy);
    }
  }
  out.set(framePoints(layout.borderPoints, width, height), 2 * (n + ringCount));
  return out;
}

/**
 * Triangulates a target shape (landmarks in the pixels of a width x height image) with its ring
 * and frame points. Call it once per target shape.
 */
export function triangulate(points: ArrayLike<number>, options?: TriangulateOptions): FaceMesh {
  const o = withDefaults('triangulate options', TRIANGULATE_DEFAULTS, options);
  const width = integerInRange('width', o.width, 2);
  const height = integerInRange('height', o.height ?? width, 2);
  integerInRange('borderPoints', o.borderPoints, 8);
  const ringScale = numberInRange('ring', o.ring, 0, 10);
  if (!points || typeof points.length !== 'number' || points.length < 6 || points.length % 2 !== 0) {
    throw new InvalidParameterError('points', 'x, y coordinates of at least 3 points', points);
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new InvalidParameterError(`points[${i}]`, 'finite number', points[i]);
  }
  const landmarkCount = points.length / 2;
  let ringIndices = new Uint32Array(0);
  if (ringScale > 0) {
    ringIndices = o.ringIndices ? Uint32Array.from(o.ringIndices) : Uint32Array.from(convexHull(points));
    for (let r = 0; r < ringIndices.length; r++) {
      if (ringIndices[r] >= landmarkCount) {
        throw new InvalidParameterError(`ringIndices[${r}]`, `landmark index < ${landmarkCount}`, ringIndices[r]);
      }
    }
  }
  const layout: MeshLayout = { landmarkCount, ringIndices, ringScale, borderPoints: o.borderPoints };
  const all = extendPoints(points, layout, width, height);
  const raw = delaunay(all).triangles;
  const keep: number[] = [];
  for (let k = 0; k < raw.length; k += 3) {
    if (triangleArea(all, raw[k], raw[k + 1], raw[k + 2]) > 1e-6) keep.push(raw[k], raw[k + 1], raw[k + 2]);
  }
  return { ...layout, width, height, points: all, triangles: Uint32Array.from(keep) };
}

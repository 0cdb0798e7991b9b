/**
 * Small 2-D geometry helpers on flat coordinate arrays [x0, y0, x1, y1, ...] in image pixels
 * (x to the right, y DOWN).
 */

/**
 * The area of triangle a, b, c, positive when a -> b -> c turns counter-clockwise as
 * seen on screen (y down). This is delaunator's orientation: all its triangles are positive.
 */
export function orientedArea(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return ((cx - ax) * (by - ay) - (bx - ax) * (cy - ay)) / 2;
}

/** orientedArea() of the triangle of points i, j, k of a flat coordinate array. */
export function triangleArea(p: ArrayLike<number>, i: number, j: number, k: number): number {
  return orientedArea(p[2 * i], p[2 * i + 1], p[2 * j], p[2 * j + 1], p[2 * k], p[2 * k + 1]);
}

/** Centroid of the points. */
export function centroid(p: ArrayLike<number>): [number, number] {
  const n = p.length / 2;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += p[2 * i];
    sy += p[2 * i + 1];
  }
  return [sx / n, sy / n];
}

/**
 * Convex hull (Andrew's monotone chain) as point indices, counter-clockwise on screen
 * (positive orientedArea), without collinear points.
 */
export function convexHull(p: ArrayLike<number>): number[] {
  const n = p.length / 2;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => p[2 * a] - p[2 * b] || p[2 * a + 1] - p[2 * b + 1]);
  if (n < 3) return idx;
  // cross > 0: counter-clockwise in y-up terms, i.e. clockwise on screen
  const cross = (o: number, a: number, b: number) =>
    (p[2 * a] - p[2 * o]) * (p[2 * b + 1] - p[2 * o + 1]) - (p[2 * a + 1] - p[2 * o + 1]) * (p[2 * b] - p[2 * o]);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], i) <= 0) upper.pop();
    upper.push(i);
  }
  lower.pop();
  upper.pop();
  // y-up counter-clockwise = clockwise on screen: reverse for screen counter-clockwise
  return lower.concat(upper).reverse();
}

/** Area of a polygon given by point indices (positive when counter-clockwise on screen). */
export function polygonArea(p: ArrayLike<number>, indices: readonly number[]): number {
  let a = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const j = indices[(k + 1) % indices.length];
    a += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1];
  }
  // the shoelace formula is positive for y-up counter-clockwise: flip for screen orientation
  return -a / 2;
}

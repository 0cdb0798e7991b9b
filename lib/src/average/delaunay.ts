/**
 * A tiny typed wrapper around delaunator 5.
 *
 * delaunator 5 is an ESM-only package. Node >= 20.19 can `require()` ES modules synchronously,
 * which is what our CommonJS output does here (the namespace's `default` export is the class).
 * Its UMD file `delaunator.js` cannot be used instead: the package is `"type": "module"`, so Node
 * loads that file as ESM too and it exports nothing.
 */

/** The part of a delaunator triangulation we use. */
interface DelaunatorInstance {
  /** Vertex indices, three per triangle, counter-clockwise as seen on screen (y down). */
  triangles: Uint32Array;
  /** Indices of the convex hull vertices. */
  hull: Uint32Array;
}

type DelaunatorClass = new (coords: ArrayLike<number>) => DelaunatorInstance;

let cached: DelaunatorClass | null = null;

function load(): DelaunatorClass {
  if (cached) return cached;
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('delaunator');
  } catch (e) {
    throw new Error(
      `cannot load delaunator (an ES module; needs Node >= 20.19 for require(esm)): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const m = mod as { default?: unknown };
  const ctor = (typeof m === 'function' ? m : m.default) as DelaunatorClass | undefined;
  if (typeof ctor !== 'function') throw new Error('delaunator did not export a constructor');
  cached = ctor;
  return ctor;
}

/** Delaunay triangulation of `coords` = [x0, y0, x1, y1, ...]; duplicate points are left out. */
export function delaunay(coords: ArrayLike<number>): { triangles: Uint32Array; hull: Uint32Array } {
  const D = load();
  const d = new D(coords);
  return { triangles: d.triangles, hull: d.hull };
}

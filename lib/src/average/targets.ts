/**
 * The warp targets of averageFaces(), between its two passes: the mean shape of all faces and of
 * each group, in the pixels of the averages, each triangulated once (triangulate.ts) and with
 * its face mask (mask.ts).
 */
import { faceMask } from './mask';
import type { ResolvedOptions } from './options';
import type { Shapes } from './shape-pass';
import { meanShape } from './shapes';
import { triangulate, type FaceMesh } from './triangulate';

/** One warp target: a mean shape, its mesh, and its face mask (null: none). */
export interface Target {
  shape: Float32Array;
  mesh: FaceMesh;
  mask: Float32Array | null;
}

/**
 * The targets [all faces, group 0, ..., group groups - 1]. A group without usable faces gets the
 * global target (and a warning). The group meshes share the global mesh's ring points. Frees
 * the shapes kept for Procrustes means.
 */
export function buildTargets(o: ResolvedOptions, shapes: Shapes, warnings: string[]): Target[] {
  const { size, cropSize } = o;
  const toOutput = (p: Float32Array): Float32Array => {
    const s = size / cropSize;
    return s === 1 ? p : p.map((v) => (v + 0.5) * s - 0.5);
  };
  const meanOf = (key: number): Float32Array => {
    const s = shapes.sums.get(key)!;
    if (o.procrustes) return meanShape(s.shapes, { procrustes: true });
    return Float32Array.from(s.sum, (v) => v / s.count);
  };
  const maskOf = (shape: Float32Array): Float32Array | null =>
    o.mask && !o.person ? faceMask(shape, { width: size, feather: o.feather, expand: o.expand, forehead: o.forehead }) : null;
  const globalShape = toOutput(meanOf(-1));
  const globalMesh = triangulate(globalShape, { width: size, borderPoints: o.borderPoints, ring: o.ring });
  const targets: Target[] = [{ shape: globalShape, mesh: globalMesh, mask: maskOf(globalShape) }];
  for (let g = 0; g < shapes.groups; g++) {
    if (!shapes.sums.has(g)) {
      warnings.push(`group ${g} has no usable faces: its average is the background and its shape the global mean shape`);
      targets.push(targets[0]);
      continue;
    }
    const shape = toOutput(meanOf(g));
    const mesh = triangulate(shape, {
      width: size,
      borderPoints: o.borderPoints,
      ring: o.ring,
      ringIndices: globalMesh.ringIndices,
    });
    targets.push({ shape, mesh, mask: maskOf(shape) });
  }
  // the shapes are no longer needed
  for (const s of shapes.sums.values()) s.shapes.length = 0;
  return targets;
}

/**
 * averageFaces(): the average face of every group (cluster) and of all faces, by piecewise-affine
 * warping onto mean shapes, plus the plain pixel mean of the eye-aligned crops for comparison.
 *
 * Two passes over the faces:
 *  1. landmarks only (no image is read): validity checks (shapes.ts), a robust reference shape
 *     (the coordinate-wise median of the first `referenceSample` valid faces) for the fold and area
 *     checks, the mean shape of each group and of all faces; then each mean shape is triangulated
 *     once (triangulate.ts) and its face mask built (mask.ts);
 *  2. images, each decoded once, in chunks on a worker_threads pool ('average' handler): each face
 *     is warped to its group's mean shape AND to the global one and added into running Float64
 *     sums, and its unwarped crop into the pixel-mean sums; each chunk returns its sums and the
 *     main thread adds them up. Memory stays O(image size x groups), never all images.
 * Then each sum is divided by its count and composed over the neutral background with its mask.
 *
 * The steps, one module each: options.ts (resolveOptions: the checked options), shape-pass.ts
 * (collectShapes: pass 1, the skip counts in a SkipTally of skips.ts), targets.ts (buildTargets:
 * mean shapes, meshes, masks), image-pass.ts (accumulateImages: pass 2, in this thread or on the
 * pool), results.ts (finishTargets: divide and compose).
 *
 * Two compositions (`composite`):
 *  - 'face' (the first version): the face region of the mean shape (mask.ts: hull, forehead dome,
 *    feathered edge) over grey; pixels outside it are not even warped;
 *  - 'person' (whole head): every face brings its person alpha from the segmentation
 *    (`personMask`), the whole frame is warped, each pixel counts by its warped alpha, and the
 *    average is composed over the background with the MEAN alpha: the typical outline of the hair,
 *    neck and shoulders of the group, each face's background left out.
 * Faces may also bring `weights` (e.g. 0 where the crop lies outside the photo): in both modes
 * those pixels count for nothing, and colours are divided by the summed weights.
 *
 * The faces can be an array, a function returning a fresh iterable (called once per pass), or a
 * one-shot (async) iterable such as a generator: then the first pass keeps each valid face's
 * landmarks and image reference for the second (cheap for paths; raw pixels would all stay in
 * memory: pass a function instead).
 */
import { accumulateImages } from './image-pass';
import { resolveOptions, type AverageOptions, type FaceSource } from './options';
import { finishTargets } from './results';
import { collectShapes } from './shape-pass';
import { formatSkips } from './skips';
import { buildTargets } from './targets';
import type { FaceMesh } from './triangulate';
import type { FloatImage, RgbImage, SkipCounts } from './types';

export { AVERAGE_DEFAULTS, MAX_GROUPS } from './options';
export type { AverageOptions, AverageProgress, FaceSource } from './options';
export { formatSkips } from './skips';

/** The average of one group, or of all faces (group null). */
export interface AverageGroup {
  /** Group number, null for the global average. */
  group: number | null;
  /** Faces averaged. */
  count: number;
  /** Faces of this group left out, by reason. */
  skipped: SkipCounts;
  /** Mean landmarks, in the pixels of the average (size x size). */
  meanShape: Float32Array;
  /** The mean shape with its ring and frame points, triangulated: the warp target. */
  mesh: FaceMesh;
  /**
   * Composition weights per pixel: the face mask ('face' composite; null with mask: false), or
   * the mean person alpha of the group's faces ('person' composite).
   */
  mask: Float32Array | null;
  /** Warped average composed over the background (the background alone when count is 0). */
  average: RgbImage;
  /** Warped average before composition, floats in [0, 255]; 0 where the mask is 0. */
  raw: FloatImage;
  /** Mean of the unwarped crops, composed with the same mask (null with pixelMean: false). */
  pixelMean: RgbImage | null;
}

export interface AverageResult {
  /** Side of the averages. */
  size: number;
  /** Side of the input crops. */
  cropSize: number;
  /** Landmarks per face. */
  pointCount: number;
  global: AverageGroup;
  /** One per group, index = group number. */
  groups: AverageGroup[];
  /** Faces read. */
  seen: number;
  /** Faces averaged (global count). */
  used: number;
  /** Faces left out, by reason. */
  skipped: SkipCounts;
  /** Degenerate but valid situations (empty groups, worker failures). */
  warnings: string[];
  /** Wall-clock time. */
  seconds: number;
}

/**
 * Average faces per group and globally. See the module comment; the result holds per group the
 * warped average, the pixel mean, the mean shape and its mesh, counts and skips by reason.
 * Throws DataError when no face can be used.
 */
export async function averageFaces(faces: FaceSource, options?: AverageOptions): Promise<AverageResult> {
  const t0 = performance.now();
  const o = resolveOptions(faces, options);
  const shapes = await collectShapes(o);
  const warnings: string[] = [];
  const targets = buildTargets(o, shapes, warnings);
  const sums = await accumulateImages(o, shapes, targets, warnings);
  const { global, groups } = finishTargets(o, shapes, targets, sums, warnings);
  const skipped = shapes.skips.total;
  if (global.count === 0) warnings.push(`none of the ${shapes.seen} faces could be used: skipped ${formatSkips(skipped)}`);
  return {
    size: o.size,
    cropSize: o.cropSize,
    pointCount: shapes.pointCount,
    global,
    groups,
    seen: shapes.seen,
    used: global.count,
    skipped: { ...skipped },
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Plain data types of the average stage. Nothing here depends on the other stages: a face is an
 * image (a path or raw RGB pixels) and its landmarks in that image's pixels.
 */

/** Interleaved 8-bit RGB pixels, row by row. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Interleaved RGB pixels as floats in [0, 255] (an average before rounding). */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: 3;
}

/** An image: the path of a file sharp can read (the eye-aligned JPEG crops) or raw RGB pixels. */
export type ImageSource = string | RgbImage;

/** One face to average. */
export interface FaceInput {
  /** The eye-aligned crop: a path, or raw RGB pixels. */
  image: ImageSource;
  /**
   * Landmarks x0, y0, x1, y1, ... in that image's pixels (any count: 68 iBUG points, 468 mesh
   * points, ...; all faces of one call must have the same count). Pixel centres are at integer
   * coordinates: the first pixel covers [-0.5, 0.5] x [-0.5, 0.5].
   */
  points: Float32Array | ArrayLike<number>;
  /** Group (cluster) of the face, 0..groups-1; a face without one only enters the global average. */
  group?: number | null;
  /**
   * The person alpha in the crop (a grey PNG path or cropSize x cropSize bytes, 255 = person),
   * from the segmentation (faces/segment.ts); needed by whole-head averages (`composite: 'person'`).
   */
  personMask?: string | Uint8Array | null;
  /**
   * Optional per-pixel weights of the crop (same forms, 255 = full weight; 0 e.g. where the crop
   * lies outside the photo and its pixels are edge-replicated): such pixels do not count.
   */
  weights?: string | Uint8Array | null;
}

/** Why a face was left out of the averages. */
export type SkipReason =
  /** Not the same number of points as the other faces (or an odd number of coordinates). */
  | 'wrong-point-count'
  /** A coordinate is NaN or infinite. */
  | 'non-finite'
  /** A point lies far outside the image (more than `margin` of the image size). */
  | 'outside-image'
  /** The subject's right eye is to the right of the left eye (68 and 468-point layouts only). */
  | 'eyes-swapped'
  /** The landmark area is far from the reference face's (collapsed or exploded landmarks). */
  | 'bad-scale'
  /** Triangles of the reference triangulation are folded over on this face (crossed geometry). */
  | 'flipped-triangles'
  /** `group` is not an integer in [0, groups). */
  | 'bad-group'
  /** The image file could not be read or decoded. */
  | 'unreadable-image'
  /** The image is not `cropSize` x `cropSize`, or raw pixels do not match width x height x 3. */
  | 'size-mismatch'
  /** The worker thread processing this face died. */
  | 'worker-crash'
  /** A weight mask (person alpha, validity mask) could not be read. */
  | 'unreadable-mask'
  /** Whole-head averages need the face's person mask, and it has none. */
  | 'no-mask';

/** Every skip reason, in the order tables show them. */
export const SKIP_REASONS: readonly SkipReason[] = [
  'wrong-point-count',
  'non-finite',
  'outside-image',
  'eyes-swapped',
  'bad-scale',
  'flipped-triangles',
  'bad-group',
  'unreadable-image',
  'size-mismatch',
  'worker-crash',
  'unreadable-mask',
  'no-mask',
];

/** A count per skip reason, all reasons present (zero when none). */
export type SkipCounts = Record<SkipReason, number>;

export function emptySkipCounts(): SkipCounts {
  const out = {} as SkipCounts;
  for (const r of SKIP_REASONS) out[r] = 0;
  return out;
}

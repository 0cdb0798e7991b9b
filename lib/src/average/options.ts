/**
 * The options of averageFaces(): their types and defaults, and resolveOptions(), which checks
 * them (and the faces argument) once and returns the plain values every later step reads.
 */
import { DEFAULT_TEMPLATE } from '../faces/align';
import { defaultWorkers } from '../runtime/pool';
import { integerInRange, InvalidParameterError, numberInRange, oneOf, withDefaults } from '../validate';
import { SHAPE_CHECK_DEFAULTS } from './shapes';
import type { FaceInput } from './types';

/** Faces to average: an (async) iterable, or a function returning a fresh one for each pass. */
export type FaceSource =
  | Iterable<FaceInput>
  | AsyncIterable<FaceInput>
  | (() => Iterable<FaceInput> | AsyncIterable<FaceInput>);

/** Progress of averageFaces(): faces read in the shape pass, faces summed in the warp pass. */
export interface AverageProgress {
  phase: 'shapes' | 'warp';
  done: number;
  /** Known in the warp pass: faces to warp. */
  total: number | null;
}

export interface AverageOptions {
  /** Number of groups (faces' `group` in [0, groups)); null: the largest group seen + 1. */
  groups?: number | null;
  /** Side of the input crops, the frame of the faces' points. */
  cropSize?: number;
  /** Side of the averages (null: cropSize). */
  size?: number | null;
  /** Worker threads (0: run in this thread). */
  workers?: number;
  /** Faces per worker task. */
  chunkSize?: number;
  /** Generalised Procrustes mean shapes instead of plain means (see shapes.ts). */
  procrustes?: boolean;
  /** Points on the image frame in each mesh (>= 8). */
  borderPoints?: number;
  /** Ring of points around the face (scale from the centroid; 0: none), see triangulate.ts. */
  ring?: number;
  /** Compose over the background with the face mask (false: the whole warped frame). */
  mask?: boolean;
  /** Mask fade width, a fraction of the image width. */
  feather?: number;
  /** Mask growth, a fraction of the image width. */
  expand?: number;
  /** Mask extension over the forehead, a fraction of the landmarks' height, or 'auto'. */
  forehead?: number | 'auto';
  /** Background RGB behind the mask. */
  background?: readonly [number, number, number];
  /** How far points may lie outside the crop (fraction of its size) before a face is skipped. */
  margin?: number;
  /** Largest fraction of folded triangle area before a face is skipped. */
  maxFlipped?: number;
  /** Largest landmark area ratio to the reference before a face is skipped. */
  maxScale?: number;
  /** Also compute the unwarped pixel means. */
  pixelMean?: boolean;
  /** Number of valid faces the reference shape (median) is computed from. */
  referenceSample?: number;
  /** Called as faces are read and summed. */
  onProgress?: ((progress: AverageProgress) => void) | null;
  /** 'face': the face region of the mean shape over the background; 'person': whole heads by the faces' person masks (see the module comment). */
  composite?: 'face' | 'person';
}

/** Defaults of averageFaces(). */
export const AVERAGE_DEFAULTS: Required<AverageOptions> = {
  groups: null,
  cropSize: DEFAULT_TEMPLATE.size,
  size: null,
  workers: defaultWorkers(),
  chunkSize: 200,
  procrustes: false,
  borderPoints: 16,
  ring: 0,
  mask: true,
  feather: 0.06,
  expand: 0,
  forehead: 'auto',
  background: [128, 128, 128],
  margin: SHAPE_CHECK_DEFAULTS.margin,
  maxFlipped: SHAPE_CHECK_DEFAULTS.maxFlipped,
  maxScale: SHAPE_CHECK_DEFAULTS.maxScale,
  pixelMean: true,
  referenceSample: 1000,
  onProgress: null,
  composite: 'face',
};

/** Largest number of groups. */
export const MAX_GROUPS = 32;

/** The checked options of one averageFaces() call, and its faces ready to be read. */
export interface ResolvedOptions
  extends Omit<Required<AverageOptions>, 'groups' | 'size' | 'background' | 'composite'> {
  /** The `groups` option: null when the groups are counted from the faces. */
  fixedGroups: number | null;
  /** Side of the averages (`size`, or cropSize). */
  size: number;
  /** A copy of `background`. */
  background: readonly [number, number, number];
  /** composite: 'person' (whole heads by the person masks). */
  person: boolean;
  /** The faces for one pass: a fresh iterable when `reiterable`, else the same one-shot one. */
  open: () => Iterable<FaceInput> | AsyncIterable<FaceInput>;
  /** The faces can be read twice (an array or a function); else pass 1 keeps them for pass 2. */
  reiterable: boolean;
}

/** Checks the faces argument and every option (InvalidParameterError) and fills in the defaults. */
export function resolveOptions(faces: FaceSource, options?: AverageOptions): ResolvedOptions {
  const o = withDefaults('averageFaces options', AVERAGE_DEFAULTS, options);
  if (typeof faces !== 'function' && !isIterable(faces)) {
    throw new InvalidParameterError('faces', 'an iterable or async iterable of faces, or a function returning one', faces);
  }
  const fixedGroups = o.groups === null ? null : integerInRange('groups', o.groups, 0, MAX_GROUPS);
  const cropSize = integerInRange('cropSize', o.cropSize, 8, 8192);
  const size = integerInRange('size', o.size ?? cropSize, 8, 8192);
  const workers = integerInRange('workers', o.workers, 0, 64);
  const chunkSize = integerInRange('chunkSize', o.chunkSize, 1, 100000);
  integerInRange('borderPoints', o.borderPoints, 8);
  numberInRange('ring', o.ring, 0, 10);
  numberInRange('feather', o.feather, 0, 1);
  numberInRange('expand', o.expand, -1, 1);
  if (o.forehead !== 'auto') numberInRange('forehead', o.forehead, 0, 2);
  const bg = o.background;
  if (!Array.isArray(bg) || bg.length !== 3 || bg.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 255))) {
    throw new InvalidParameterError('background', 'an [r, g, b] array of numbers in [0, 255]', bg);
  }
  numberInRange('margin', o.margin, 0);
  numberInRange('maxFlipped', o.maxFlipped, 0, 1);
  numberInRange('maxScale', o.maxScale, 1);
  const referenceSample = integerInRange('referenceSample', o.referenceSample, 1);
  const person = oneOf('composite', o.composite, ['face', 'person'] as const) === 'person';
  if (o.onProgress !== null && typeof o.onProgress !== 'function') {
    throw new InvalidParameterError('onProgress', 'a function or null', o.onProgress);
  }
  const open = (): Iterable<FaceInput> | AsyncIterable<FaceInput> => {
    if (typeof faces !== 'function') return faces;
    const it = faces();
    if (!isIterable(it)) throw new InvalidParameterError('faces()', 'an iterable or async iterable of faces', it);
    return it;
  };
  return {
    ...o,
    fixedGroups,
    cropSize,
    size,
    workers,
    chunkSize,
    referenceSample,
    background: [bg[0], bg[1], bg[2]],
    person,
    open,
    reiterable: typeof faces === 'function' || Array.isArray(faces),
  };
}

function isIterable(x: unknown): boolean {
  return !!x && typeof x === 'object' && (Symbol.iterator in x || Symbol.asyncIterator in x);
}

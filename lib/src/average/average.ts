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
import { DEFAULT_TEMPLATE } from '../faces/align';
import { defaultWorkers } from '../runtime/pool';
import { runAll, WorkerCrashError, WorkerPool } from '../runtime/pool';
import { DataError, integerInRange, InvalidParameterError, numberInRange, oneOf, withDefaults } from '../validate';
import { Accumulator, type AccumulatorSetup, type ChunkFace, type ChunkSums, type WeightSource } from './accumulate';
import { composeOver, faceMask } from './mask';
import { checkShape, meanShape, shapeReference, SHAPE_CHECK_DEFAULTS, type ShapeReference } from './shapes';
import { triangulate, type FaceMesh } from './triangulate';
import { emptySkipCounts, type FaceInput, type FloatImage, type RgbImage, type SkipCounts, type SkipReason } from './types';

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

interface Entry {
  image: string | RgbImage;
  points: Float32Array;
  group: number;
  weights: WeightSource[];
}

/** Normalises a face; a skip reason when it cannot be used at all. */
function readFace(face: FaceInput, groups: number | null, person: boolean): Entry | SkipReason {
  if (!face || typeof face !== 'object') return 'unreadable-image';
  const image = face.image;
  if (typeof image !== 'string' && (!image || typeof image !== 'object')) return 'unreadable-image';
  const raw = face.points;
  if (!raw || typeof raw.length !== 'number') return 'wrong-point-count';
  let group = -1;
  if (face.group !== undefined && face.group !== null) {
    const g = face.group;
    if (!Number.isInteger(g) || g < 0 || g >= (groups ?? MAX_GROUPS)) return 'bad-group';
    group = g;
  }
  const weights: WeightSource[] = [];
  if (person) {
    if (!face.personMask) return 'no-mask';
    weights.push(face.personMask);
  }
  if (face.weights) weights.push(face.weights);
  // always a compact copy: a view into a larger buffer would send that whole buffer to a worker
  return { image, points: Float32Array.from(raw), group, weights };
}

function isIterable(x: unknown): boolean {
  return !!x && typeof x === 'object' && (Symbol.iterator in x || Symbol.asyncIterator in x);
}

/**
 * Average faces per group and globally. See the module comment; the result holds per group the
 * warped average, the pixel mean, the mean shape and its mesh, counts and skips by reason.
 * Throws DataError when no face can be used.
 */
export async function averageFaces(faces: FaceSource, options?: AverageOptions): Promise<AverageResult> {
  const t0 = performance.now();
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
  const reiterable = typeof faces === 'function' || Array.isArray(faces);
  const warnings: string[] = [];

  // ---- pass 1: landmarks -------------------------------------------------------------------
  const skipped = emptySkipCounts();
  const groupSkipped = new Map<number, SkipCounts>();
  const skip = (reason: SkipReason, group: number, n = 1) => {
    skipped[reason] += n;
    if (group >= 0) {
      let s = groupSkipped.get(group);
      if (!s) groupSkipped.set(group, (s = emptySkipCounts()));
      s[reason] += n;
    }
  };
  let seen = 0;
  // any face with weights (or person masks): weighted sums
  let weighted = false;
  let pointCount: number | null = null;
  let reference: ShapeReference | null = null;
  const pending: Entry[] = [];
  const buffered: Entry[] = [];
  const shapeSums = new Map<number, { sum: Float64Array; count: number; shapes: Float32Array[] }>();
  let maxGroup = -1;
  const shapeOptions = () => ({
    width: cropSize,
    height: cropSize,
    pointCount,
    margin: o.margin,
    maxFlipped: o.maxFlipped,
    maxScale: o.maxScale,
    reference,
  });
  const accept = (e: Entry) => {
    for (const key of e.group >= 0 ? [-1, e.group] : [-1]) {
      let s = shapeSums.get(key);
      if (!s) shapeSums.set(key, (s = { sum: new Float64Array(e.points.length), count: 0, shapes: [] }));
      for (let i = 0; i < e.points.length; i++) s.sum[i] += e.points[i];
      s.count++;
      if (o.procrustes) s.shapes.push(e.points);
    }
    if (e.group > maxGroup) maxGroup = e.group;
    if (!reiterable) buffered.push(e);
  };
  const checkAgainstReference = (e: Entry) => {
    const reason = checkShape(e.points, shapeOptions());
    if (reason) skip(reason, e.group);
    else accept(e);
  };
  const buildReference = () => {
    reference = shapeReference(pending.map((e) => e.points));
    for (const e of pending.splice(0)) checkAgainstReference(e);
  };
  for await (const face of open() as AsyncIterable<FaceInput>) {
    seen++;
    const e = readFace(face, fixedGroups, person);
    if (typeof e === 'string') {
      const g = face && typeof face === 'object' && Number.isInteger(face.group) && e !== 'bad-group' ? (face.group as number) : -1;
      skip(e, g);
      continue;
    }
    if (e.weights.length > 0) weighted = true;
    if (pointCount === null && e.points.length >= 6 && e.points.length % 2 === 0) pointCount = e.points.length / 2;
    if (reference) {
      checkAgainstReference(e);
    } else {
      const reason = checkShape(e.points, shapeOptions());
      if (reason) skip(reason, e.group);
      else {
        pending.push(e);
        if (pending.length >= referenceSample) buildReference();
      }
    }
    if (o.onProgress && seen % 500 === 0) o.onProgress({ phase: 'shapes', done: seen, total: null });
  }
  if (!reference && pending.length > 0) buildReference();
  if (seen === 0) throw new DataError('averageFaces() received no faces');
  const all = shapeSums.get(-1);
  if (!all || !reference || pointCount === null) {
    throw new DataError(`no usable face among ${seen}: skipped ${formatSkips(skipped)}`);
  }
  const groups = fixedGroups ?? maxGroup + 1;

  // ---- mean shapes, meshes, masks ----------------------------------------------------------
  const toOutput = (p: Float32Array): Float32Array => {
    const s = size / cropSize;
    return s === 1 ? p : p.map((v) => (v + 0.5) * s - 0.5);
  };
  const meanOf = (key: number): Float32Array => {
    const s = shapeSums.get(key)!;
    if (o.procrustes) return meanShape(s.shapes, { procrustes: true });
    return Float32Array.from(s.sum, (v) => v / s.count);
  };
  const globalShape = toOutput(meanOf(-1));
  const globalMesh = triangulate(globalShape, { width: size, borderPoints: o.borderPoints, ring: o.ring });
  const maskOf = (shape: Float32Array): Float32Array | null =>
    o.mask && !person ? faceMask(shape, { width: size, feather: o.feather, expand: o.expand, forehead: o.forehead }) : null;
  const targets: { shape: Float32Array; mesh: FaceMesh; mask: Float32Array | null }[] = [
    { shape: globalShape, mesh: globalMesh, mask: maskOf(globalShape) },
  ];
  for (let g = 0; g < groups; g++) {
    if (!shapeSums.has(g)) {
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
  for (const s of shapeSums.values()) s.shapes.length = 0;

  // ---- pass 2: images ----------------------------------------------------------------------
  const setup: AccumulatorSetup = {
    cropSize,
    size,
    layout: {
      landmarkCount: globalMesh.landmarkCount,
      ringIndices: globalMesh.ringIndices,
      ringScale: globalMesh.ringScale,
      borderPoints: globalMesh.borderPoints,
    },
    targets: targets.map((t) => ({ points: t.mesh.points, triangles: t.mesh.triangles, alpha: t.mask })),
    pixelMean: o.pixelMean,
    weighted,
  };
  const plane = size * size * 3;
  const area = weighted ? size * size : 0;
  const warpSums = targets.map(() => ({ sum: new Float64Array(plane), weight: new Float64Array(area), count: 0 }));
  const pixelSums = targets.map(() => ({ sum: new Float64Array(o.pixelMean ? plane : 0), weight: new Float64Array(o.pixelMean ? area : 0), count: 0 }));
  const total = all.count;
  let done = 0;
  const merge = (r: ChunkSums, chunk: readonly ChunkFace[]) => {
    for (const s of r.warp) addSums(warpSums[s.target], s);
    for (const s of r.pixel) addSums(pixelSums[s.target], s);
    for (const k of r.skipped) skip(k.reason, k.group);
    done += chunk.length;
    o.onProgress?.({ phase: 'warp', done, total });
  };
  async function* chunks(): AsyncGenerator<ChunkFace[]> {
    let chunk: ChunkFace[] = [];
    const source: AsyncIterable<FaceInput> | Iterable<Entry> = reiterable ? (open() as AsyncIterable<FaceInput>) : buffered;
    for await (const item of source as AsyncIterable<FaceInput | Entry>) {
      let e: Entry;
      if (reiterable) {
        // same checks as pass 1, same verdicts: skips were counted there
        const r = readFace(item as FaceInput, fixedGroups, person);
        if (typeof r === 'string' || checkShape(r.points, shapeOptions())) continue;
        e = r;
      } else e = item as Entry;
      chunk.push({ image: compact(e.image), points: e.points, group: e.group, weights: e.weights });
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  if (workers === 0) {
    const acc = new Accumulator(setup);
    for await (const chunk of chunks()) merge(await acc.addChunk(chunk), chunk);
  } else {
    // no more workers than chunks (a small run does not start idle threads)
    const poolSize = Math.max(1, Math.min(workers, Math.ceil(total / chunkSize)));
    const pool = new WorkerPool<{ faces: ChunkFace[] }, ChunkSums>(require.resolve('./average-worker'), { workers: poolSize, init: setup });
    try {
      await pool.ready();
      await runAll(
        pool,
        chunks(),
        (chunk) => ({ faces: chunk }),
        (chunk, result, error) => {
          if (result) merge(result, chunk);
          else {
            const reason: SkipReason = 'worker-crash';
            for (const f of chunk) skip(reason, f.group);
            const kind = error instanceof WorkerCrashError ? 'crashed' : 'failed';
            warnings.push(`a worker ${kind} on a chunk of ${chunk.length} faces (skipped): ${error?.message ?? 'unknown error'}`);
            done += chunk.length;
          }
        },
        pool.size * 2,
      );
    } finally {
      await pool.close();
    }
  }

  // ---- finishing: divide and compose -------------------------------------------------------
  const background = [bg[0], bg[1], bg[2]] as const;
  const finish = (t: number): AverageGroup => {
    const { shape, mesh } = targets[t];
    const w = warpSums[t];
    const warped = meanOfSums(w, plane, background, person);
    const raw = warped.colour;
    const mask = person ? warped.alpha : targets[t].mask;
    const alpha = w.count > 0 ? mask : new Float32Array(size * size);
    let pixelMean: RgbImage | null = null;
    if (o.pixelMean) {
      const p = pixelSums[t];
      const mean = meanOfSums(p, plane, background, person);
      pixelMean = image(composeOver(mean.colour, p.count > 0 ? (person ? mean.alpha : mask) : new Float32Array(size * size), background), size);
    }
    const group = t === 0 ? null : t - 1;
    if (t > 0 && w.count === 0 && shapeSums.has(t - 1)) {
      warnings.push(`group ${t - 1}: none of its images could be used, its average is the background`);
    }
    return {
      group,
      count: w.count,
      skipped: group === null ? { ...skipped } : groupSkipped.get(group) ?? emptySkipCounts(),
      meanShape: shape,
      mesh,
      mask,
      average: image(composeOver(raw, alpha, background), size),
      raw: { data: raw, width: size, height: size, channels: 3 },
      pixelMean,
    };
  };
  // each face's unwarped crop went into one target (its group's, or 0): the global pixel sum is
  // the sum over all targets
  if (o.pixelMean) {
    for (let t = 1; t < targets.length; t++) addSums(pixelSums[0], pixelSums[t]);
  }
  const global = finish(0);
  const groupResults = Array.from({ length: groups }, (_, g) => finish(g + 1));
  if (global.count === 0) warnings.push(`none of the ${seen} faces could be used: skipped ${formatSkips(skipped)}`);
  return {
    size,
    cropSize,
    pointCount,
    global,
    groups: groupResults,
    seen,
    used: global.count,
    skipped: { ...skipped },
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

interface Sums {
  sum: Float64Array;
  /** Summed weights per pixel (empty without weighted accumulation). */
  weight: Float64Array;
  count: number;
}

/** Adds a chunk's sums into running sums. */
function addSums(acc: Sums, s: { sum: Float64Array; weight: Float64Array | null; count: number }): void {
  for (let i = 0; i < acc.sum.length; i++) acc.sum[i] += s.sum[i];
  if (s.weight) for (let i = 0; i < acc.weight.length; i++) acc.weight[i] += s.weight[i];
  acc.count += s.count;
}

/**
 * Colours of summed faces: divided by the count, or with weights by the summed weight per pixel
 * (the background colour where nothing was summed); `alpha`: the mean weight per pixel (person
 * composite), else null.
 */
function meanOfSums(s: Sums, plane: number, background: readonly [number, number, number], person: boolean): { colour: Float32Array; alpha: Float32Array | null } {
  const colour = new Float32Array(plane);
  if (s.count === 0) return { colour, alpha: person ? new Float32Array(plane / 3) : null };
  if (s.weight.length === 0) {
    for (let i = 0; i < plane; i++) colour[i] = s.sum[i] / s.count;
    return { colour, alpha: null };
  }
  const alpha = new Float32Array(plane / 3);
  for (let p = 0; p < plane / 3; p++) {
    const w = s.weight[p];
    alpha[p] = w / s.count;
    for (let c = 0; c < 3; c++) colour[3 * p + c] = w > 1e-6 ? s.sum[3 * p + c] / w : background[c];
  }
  return { colour, alpha: person ? alpha : null };
}

/** Raw pixels that are a view into a larger buffer are copied, so a worker gets only them. */
function compact(img: string | RgbImage): string | RgbImage {
  if (typeof img === 'string' || !(img.data instanceof Uint8Array) || img.data.byteLength === img.data.buffer.byteLength) return img;
  return { ...img, data: img.data.slice() };
}

function image(data: Uint8Array, size: number): RgbImage {
  return { data, width: size, height: size, channels: 3 };
}

/** "3 non-finite, 1 eyes-swapped" (only the reasons that occurred), or "none". */
export function formatSkips(counts: SkipCounts): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * Pass 1 of averageFaces(): landmarks only, no image is read. Each face is normalised (readFace)
 * and its landmarks checked (shapes.ts); the first `referenceSample` valid faces are held back
 * until their coordinate-wise median, the reference shape of the fold and area checks, exists,
 * then checked again against it. The faces kept are summed per group and over all faces (their
 * mean shapes), and the faces left out counted by reason.
 */
import { DataError } from '../validate';
import type { WeightSource } from './accumulate';
import { MAX_GROUPS, type ResolvedOptions } from './options';
import { checkShape, shapeReference, type ShapeReference } from './shapes';
import { formatSkips, SkipTally } from './skips';
import type { FaceInput, RgbImage, SkipReason } from './types';

/** A face as both passes use it. */
export interface Entry {
  image: string | RgbImage;
  points: Float32Array;
  /** Group, or -1 for a face in the global average only. */
  group: number;
  /** Weight masks, multiplied: the person mask ('person' composite), then the face's `weights`. */
  weights: WeightSource[];
}

/** Normalises a face; a skip reason when it cannot be used at all. */
export function readFace(face: FaceInput, groups: number | null, person: boolean): Entry | SkipReason {
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

/** The summed landmarks of one group (or of all faces); the shapes too for Procrustes means. */
export interface ShapeSum {
  sum: Float64Array;
  count: number;
  shapes: Float32Array[];
}

/** What pass 1 found: at least one usable face. */
export interface Shapes {
  /** Faces read. */
  seen: number;
  /** Landmarks per face (that of the first face with an even count of at least 6 coordinates). */
  pointCount: number;
  /** Some face brings weights (or a person mask): pass 2 sums weights per pixel. */
  weighted: boolean;
  /** Groups of the result: the `groups` option, or the largest group seen + 1. */
  groups: number;
  /** Summed landmarks by group; key -1: all faces. */
  sums: Map<number, ShapeSum>;
  /** Faces left out so far; pass 2 adds its own. */
  skips: SkipTally;
  /** Pass 1's verdict on a face's landmarks (against the reference): pass 2 re-checks with it. */
  check: (points: Float32Array) => SkipReason | null;
  /** The faces kept, for pass 2 when the faces cannot be read twice (else empty). */
  buffered: Entry[];
}

/** Pass 1 over the faces. Throws DataError when there are none, or none usable. */
export async function collectShapes(o: ResolvedOptions): Promise<Shapes> {
  const pass = new ShapePass(o);
  for await (const face of o.open() as AsyncIterable<FaceInput>) {
    pass.add(face);
    if (o.onProgress && pass.seen % 500 === 0) o.onProgress({ phase: 'shapes', done: pass.seen, total: null });
  }
  return pass.end();
}

/** The running state of pass 1. */
class ShapePass {
  seen = 0;
  private readonly skips = new SkipTally();
  private weighted = false;
  private pointCount: number | null = null;
  private reference: ShapeReference | null = null;
  /** Valid faces waiting for the reference. */
  private readonly pending: Entry[] = [];
  private readonly buffered: Entry[] = [];
  private readonly sums = new Map<number, ShapeSum>();
  private maxGroup = -1;

  constructor(private readonly o: ResolvedOptions) {}

  add(face: FaceInput): void {
    this.seen++;
    const e = readFace(face, this.o.fixedGroups, this.o.person);
    if (typeof e === 'string') {
      const g = face && typeof face === 'object' && Number.isInteger(face.group) && e !== 'bad-group' ? (face.group as number) : -1;
      this.skips.add(e, g);
      return;
    }
    if (e.weights.length > 0) this.weighted = true;
    if (this.pointCount === null && e.points.length >= 6 && e.points.length % 2 === 0) this.pointCount = e.points.length / 2;
    const reason = this.check(e.points);
    if (reason) this.skips.add(reason, e.group);
    else if (this.reference) this.accept(e);
    else {
      this.pending.push(e);
      if (this.pending.length >= this.o.referenceSample) this.buildReference();
    }
  }

  end(): Shapes {
    if (!this.reference && this.pending.length > 0) this.buildReference();
    if (this.seen === 0) throw new DataError('averageFaces() received no faces');
    if (!this.sums.has(-1) || !this.reference || this.pointCount === null) {
      throw new DataError(`no usable face among ${this.seen}: skipped ${formatSkips(this.skips.total)}`);
    }
    return {
      seen: this.seen,
      pointCount: this.pointCount,
      weighted: this.weighted,
      groups: this.o.fixedGroups ?? this.maxGroup + 1,
      sums: this.sums,
      skips: this.skips,
      check: (points) => this.check(points),
      buffered: this.buffered,
    };
  }

  private check(points: Float32Array): SkipReason | null {
    const o = this.o;
    return checkShape(points, {
      width: o.cropSize,
      height: o.cropSize,
      pointCount: this.pointCount,
      margin: o.margin,
      maxFlipped: o.maxFlipped,
      maxScale: o.maxScale,
      reference: this.reference,
    });
  }

  /** The median of the pending faces; then each is checked against it. */
  private buildReference(): void {
    this.reference = shapeReference(this.pending.map((e) => e.points));
    for (const e of this.pending.splice(0)) {
      const reason = this.check(e.points);
      if (reason) this.skips.add(reason, e.group);
      else this.accept(e);
    }
  }

  private accept(e: Entry): void {
    for (const key of e.group >= 0 ? [-1, e.group] : [-1]) {
      let s = this.sums.get(key);
      if (!s) this.sums.set(key, (s = { sum: new Float64Array(e.points.length), count: 0, shapes: [] }));
      for (let i = 0; i < e.points.length; i++) s.sum[i] += e.points[i];
      s.count++;
      if (this.o.procrustes) s.shapes.push(e.points);
    }
    if (e.group > this.maxGroup) this.maxGroup = e.group;
    if (!this.o.reiterable) this.buffered.push(e);
  }
}

/**
 * Near duplicates: the same photo re-encoded, resized or slightly cropped. The preparation
 * (markNearDuplicates) compares the faces that pass the filters, best first: a face is a near
 * duplicate of a better one when the difference hashes (dHash) of their eye-aligned crops differ
 * in few bits (the cheap search), their eye-aligned face meshes lie close (RMS distance), AND the
 * brightness gradients of the whole crops' 16x16 grey thumbnails correlate highly (background,
 * hair and clothes tell two photos of one person apart). Different photos of one person (CelebA
 * identities) must not be merged: see DEDUPE_DEFAULTS for the measured thresholds.
 * nearDuplicateGroups() gates the hash with face descriptors instead, where they exist.
 *
 *   const r = await markNearDuplicates(verdicts, { crops, cacheFile });  // marks 'near duplicate'
 *   const hash = dHash(crop);                        // 64 or 256 bits of the aligned crop
 *   const groups = nearDuplicateGroups(faces, {});   // [[0, 7], [3, 4, 9]]: the first of each is kept
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeLinesAtomic } from '../io/atomic';
import { integerInRange, numberInRange, withDefaults } from '../validate';
import type { RgbImage } from './align';
import { byRank, type Verdict } from './filter';
import { decodeMesh } from './measure';

export interface DedupeOptions {
  /** Side of the hash grid: hashSize x hashSize bits. */
  hashSize?: number;
  /** Largest Hamming distance between two hashes of the same photo (bits). */
  maxHammingDistance?: number;
  /** Largest Euclidean distance between the descriptors of the same photo (face-api 128-d). */
  maxDescriptorDistance?: number;
  /** Largest RMS distance between the two faces' eye-aligned meshes (crop pixels). */
  maxMeshDistance?: number;
  /** Smallest correlation of the brightness gradients of the two crops' grey thumbnails (gradientCorrelation). */
  minCorrelation?: number;
}

/**
 * Defaults measured on CelebA with scripts/calibrate-dedupe.ts, every face through the real
 * preparation (detection, mesh, alignment), identities split in halves (chosen on the even ones,
 * checked on the odd ones). Pairs: the two photos of each identity when both pass the filters
 * (2,735 + 2,739 pairs), and 200 photos (100 per half) saved as JPEG quality 40, PNG, resized to
 * 50% and back, resized to 50%, cropped by 3% on every side and 10% brighter, prepared as a folder
 * (564 + 568 variant pairs whose faces pass). Variants by kind, 99th percentile [largest]: hash
 * 11-47 bits [56] (resizing moves most), mesh 1.1-3.6 px [3.8]; correlation, 1st percentile 0.90-0.99
 * [smallest 0.79]. Other photos of one identity: hash median 87 bits, mesh median 7 px,
 * correlation median 0.31 and 99th percentile 0.73.
 * On the tune half, correlation limits above 0.9 lose variants without removing a merge, and every
 * same-identity pair merged at 0.9 is the same shot (checked by eye; CelebA holds some photos
 * twice, re-cropped or re-coloured); 0.88 also merged two frames of one shoot.
 * Held-out half: 566 of 568 variants merged (99.6%; two resized to 50% and back missed), 10
 * of 2,739 same-identity pairs merged: by eye 8 are the same shot and 2 are frames of one moment
 * seconds apart (same pose and expression), 0.07% of the pairs. On the whole preparation
 * (18,686 photos, 14,065 passing faces) 20 faces are marked: 17 the same shot (5 of them labelled
 * as two identities), 3 frames of one moment; no pair of clearly different photos.
 * maxDescriptorDistance (nearDuplicateGroups only) is not measured: treat it as provisional.
 */
export const DEDUPE_DEFAULTS: Required<DedupeOptions> = {
  hashSize: 16,
  maxHammingDistance: 36,
  maxDescriptorDistance: 0.25,
  maxMeshDistance: 4,
  minCorrelation: 0.9,
};

/** Mean grey of an RGB image over a box, by area (a box filter), for hashing. */
function boxGray(img: RgbImage, cols: number, rows: number, inset: number): Float64Array {
  const out = new Float64Array(cols * rows);
  const x0 = img.width * inset;
  const y0 = img.height * inset;
  const w = img.width * (1 - 2 * inset);
  const h = img.height * (1 - 2 * inset);
  const c = img.channels;
  for (let r = 0; r < rows; r++) {
    const ya = Math.floor(y0 + (r * h) / rows);
    const yb = Math.max(ya + 1, Math.floor(y0 + ((r + 1) * h) / rows));
    for (let q = 0; q < cols; q++) {
      const xa = Math.floor(x0 + (q * w) / cols);
      const xb = Math.max(xa + 1, Math.floor(x0 + ((q + 1) * w) / cols));
      let sum = 0;
      let n = 0;
      for (let y = ya; y < yb; y++) {
        for (let x = xa; x < xb; x++) {
          const i = (y * img.width + x) * c;
          sum += c >= 3 ? 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2] : img.data[i];
          n++;
        }
      }
      out[r * cols + q] = n ? sum / n : 0;
    }
  }
  return out;
}

/**
 * Difference hash of an image: grey, reduced to (size+1) x size boxes over the central region
 * (`inset` of each side left out: backgrounds and hair vary most between photos), one bit per
 * horizontal neighbour pair (left brighter than right). Returns size*size bits, packed.
 */
export function dHash(img: RgbImage, options: { hashSize?: number; inset?: number } = {}): Uint8Array {
  const size = integerInRange('hashSize', options.hashSize ?? DEDUPE_DEFAULTS.hashSize, 2, 64);
  const inset = numberInRange('inset', options.inset ?? 0.15, 0, 0.45);
  const g = boxGray(img, size + 1, size, inset);
  const bits = new Uint8Array(Math.ceil((size * size) / 8));
  for (let r = 0; r < size; r++) {
    for (let q = 0; q < size; q++) {
      const k = r * size + q;
      if (g[r * (size + 1) + q] > g[r * (size + 1) + q + 1]) bits[k >> 3] |= 1 << (k & 7);
    }
  }
  return bits;
}

/**
 * Grey thumbnail of a crop: size x size box means, 0..255, of the whole crop by default (its
 * background, hair and clothes tell two photos apart best: see gradientCorrelation).
 */
export function greyThumb(img: RgbImage, options: { size?: number; inset?: number } = {}): Uint8Array {
  const size = integerInRange('size', options.size ?? 16, 2, 256);
  const inset = numberInRange('inset', options.inset ?? 0, 0, 0.45);
  const g = boxGray(img, size, size, inset);
  return Uint8Array.from(g, (v) => Math.round(v));
}

/**
 * Correlation of the brightness gradients (differences of horizontal and vertical neighbours) of
 * two square thumbnails of the same size: 1 for the same picture whatever its brightness and
 * contrast; re-encoding and resizing keep it above 0.89 on CelebA, another photo of the person
 * stays under 0.79 (see DEDUPE_DEFAULTS). 0 when either thumbnail is flat.
 */
export function gradientCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`thumbnails of different sizes (${a.length} and ${b.length} values)`);
  const n = Math.round(Math.sqrt(a.length));
  if (n * n !== a.length) throw new RangeError(`a thumbnail of ${a.length} values is not square`);
  const ga: number[] = [];
  const gb: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let q = 0; q < n; q++) {
      const i = r * n + q;
      if (q + 1 < n) {
        ga.push(a[i + 1] - a[i]);
        gb.push(b[i + 1] - b[i]);
      }
      if (r + 1 < n) {
        ga.push(a[i + n] - a[i]);
        gb.push(b[i + n] - b[i]);
      }
    }
  }
  return correlation(ga, gb);
}

function mean(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  return sum / v.length;
}

/** Pearson correlation of two series of the same length (0 when either is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Root-mean-square distance between two landmark sets in the same crop frame (x, y pairs; crop
 * pixels): how far apart the two faces' eye-aligned meshes are. The same photo re-encoded or
 * resized gives the same mesh up to the landmark model's jitter; another photo of the person
 * differs by expression and pose.
 */
export function meshDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length % 2) throw new RangeError(`landmark sets of different sizes (${a.length} and ${b.length} values)`);
  let s = 0;
  for (let i = 0; i < a.length; i += 2) s += (a[i] - b[i]) ** 2 + (a[i + 1] - b[i + 1]) ** 2;
  return a.length ? Math.sqrt(s / (a.length / 2)) : 0;
}

/** Number of differing bits of two hashes of the same length. */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`hashes of different lengths (${a.length} and ${b.length} bytes)`);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i] ^ b[i];
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}

/** Euclidean distance of two descriptors. */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export interface DedupeItem {
  hash: Uint8Array;
  descriptor?: ArrayLike<number> | null;
}

/**
 * Groups of near duplicates among `items` (indices, each group sorted, only groups of 2 or more),
 * in order of their first member. Pass the items best first: the first of each group is the one
 * to keep. O(n^2) pairs of hash comparisons (fast: 9,000 faces take well under a second).
 */
export function nearDuplicateGroups(items: DedupeItem[], options?: DedupeOptions): number[][] {
  const opts = withDefaults('nearDuplicateGroups options', DEDUPE_DEFAULTS, options);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (hammingDistance(items[i].hash, items[j].hash) > opts.maxHammingDistance) continue;
      const a = items[i].descriptor;
      const b = items[j].descriptor;
      if (a && b && descriptorDistance(a, b) > opts.maxDescriptorDistance) continue;
      const ri = find(i);
      const rj = find(j);
      if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  return [...groups.values()].filter((g) => g.length > 1).sort((x, y) => x[0] - y[0]);
}

/** What the near-duplicate check compares of one face: its crop's hash and grey thumbnail, and its aligned mesh. */
export interface FaceSignature {
  hash: Uint8Array;
  thumb: Uint8Array;
  /** Mesh points (x, y) in crop pixels; null when unknown. */
  mesh: Float32Array | null;
}

/** The signature of an eye-aligned crop and its mesh (as stored in the records: encoded, or points). */
export function faceSignature(crop: RgbImage, mesh: string | Float32Array | null = null, options: { hashSize?: number } = {}): FaceSignature {
  return {
    hash: dHash(crop, { hashSize: options.hashSize }),
    thumb: greyThumb(crop),
    mesh: typeof mesh === 'string' ? decodeMesh(mesh) : mesh,
  };
}

/** A crop's signature as a record stores it: the dHash in hex and the grey thumbnail in base64. */
export interface StoredSignature {
  hashSize: number;
  h: string;
  t: string;
}

/** The signature of an eye-aligned crop in its stored form (computed by the preparation's workers). */
export function storedSignature(crop: RgbImage, hashSize = DEDUPE_DEFAULTS.hashSize): StoredSignature {
  return { hashSize, h: Buffer.from(dHash(crop, { hashSize })).toString('hex'), t: Buffer.from(greyThumb(crop)).toString('base64') };
}

function fromStored(s: { h: string; t: string }): { hash: Uint8Array; thumb: Uint8Array } {
  return { hash: Uint8Array.from(Buffer.from(s.h, 'hex')), thumb: Uint8Array.from(Buffer.from(s.t, 'base64')) };
}

/** The three measures between two faces' signatures (mesh NaN when either is unknown). */
export function compareSignatures(a: FaceSignature, b: FaceSignature): { hash: number; mesh: number; correlation: number } {
  return {
    hash: hammingDistance(a.hash, b.hash),
    mesh: a.mesh && b.mesh ? meshDistance(a.mesh, b.mesh) : NaN,
    correlation: gradientCorrelation(a.thumb, b.thumb),
  };
}

/** Decodes an image file (a crop) to 8-bit RGB (read into memory first: cheaper for sharp than opening the file). */
export async function readCropRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(await fs.promises.readFile(file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

/** Bumped whenever a signature's computation changes, so cached signatures are computed again. */
export const SIGNATURE_VERSION = 1;

/** The manifest reason of a face that repeats the face of verdict `v` (its photo id, and the face index in a group photo). */
function duplicateOf(v: Verdict): string {
  return `duplicate of ${v.item.id}${v.face && v.face.index > 0 ? ` (face ${v.face.index})` : ''}`;
}

/** True when the measures between two faces say "the same photo" under `opts`. */
export function isNearDuplicate(m: { hash: number; mesh: number; correlation: number }, opts: Required<DedupeOptions>): boolean {
  return m.hash <= opts.maxHammingDistance && !(m.mesh > opts.maxMeshDistance) && m.correlation >= opts.minCorrelation;
}

export interface NearDuplicateSummary {
  /** Passing faces compared, and how many were marked as near duplicates of a better one. */
  checked: number;
  marked: number;
  /** Signatures computed now (the others came from the cache). */
  computed: number;
  /** Time: signatures, comparisons, total (seconds). */
  signatureSeconds: number;
  compareSeconds: number;
}

/** Reads the signature cache (key -> signature); a torn or foreign line is ignored. */
function readSignatureCache(file: string | null): Map<string, { hash: Uint8Array; thumb: Uint8Array }> {
  const out = new Map<string, { hash: Uint8Array; thumb: Uint8Array }>();
  if (!file || !fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    try {
      const o = JSON.parse(line) as { k: string; h: string; t: string };
      if (typeof o.k === 'string' && typeof o.h === 'string' && typeof o.t === 'string') {
        out.set(o.k, fromStored(o));
      }
    } catch {
      // torn line: computed again
    }
  }
  return out;
}

/**
 * Marks the near duplicates among the faces that passed the filters (verdicts with step null),
 * in place: in rank order (byRank), a face whose signature matches a better face that was not
 * itself marked gets the step 'near duplicate' and the reason `duplicate of <photo id>` with the
 * measures. Two faces of one photo are never compared. Signatures come with the records (the
 * preparation's workers take them while the crop is in memory); for older records they are read
 * from the crops in `crops` and cached in `cacheFile` (keyed by crop name and the photo's cache
 * key). Every pair's hashes are compared (32-bit words, early exit past the limit): 3-7 s on
 * CelebA's 14,065 passing faces on a busy 2-core machine.
 */
export async function markNearDuplicates(
  verdicts: Verdict[],
  options: DedupeOptions & { crops: string; cacheFile?: string | null; concurrency?: number },
): Promise<NearDuplicateSummary> {
  const { crops, cacheFile = null, concurrency = 4, ...rest } = options;
  const opts = withDefaults('markNearDuplicates options', DEDUPE_DEFAULTS, rest);
  integerInRange('hashSize', opts.hashSize, 2, 64);
  numberInRange('maxHammingDistance', opts.maxHammingDistance, 0);
  numberInRange('maxMeshDistance', opts.maxMeshDistance, 0);
  numberInRange('minCorrelation', opts.minCorrelation, -1, 1);
  const passing = verdicts.filter((v) => v.step === null && v.face?.crop).sort(byRank);
  const t0 = performance.now();
  const cache = readSignatureCache(cacheFile);
  const keyOf = (v: Verdict) => `${SIGNATURE_VERSION}|${opts.hashSize}|${v.face!.crop}|${v.photo?.key ?? ''}`;
  const sigs: { hash: Uint8Array; thumb: Uint8Array }[] = new Array(passing.length);
  const missing: number[] = [];
  passing.forEach((v, i) => {
    const stored = v.face!.signature;
    if (stored && stored.hashSize === opts.hashSize) {
      sigs[i] = fromStored(stored);
      return;
    }
    const hit = cache.get(keyOf(v));
    if (hit && hit.hash.length === Math.ceil((opts.hashSize * opts.hashSize) / 8)) sigs[i] = hit;
    else missing.push(i);
  });
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const i = missing[next++];
      const img = await readCropRgb(path.join(crops, passing[i].face!.crop as string));
      sigs[i] = { hash: dHash(img, { hashSize: opts.hashSize }), thumb: greyThumb(img) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (cacheFile && missing.length > 0) {
    writeLinesAtomic(cacheFile, passing.map((v, i) => JSON.stringify({ k: keyOf(v), h: Buffer.from(sigs[i].hash).toString('hex'), t: Buffer.from(sigs[i].thumb).toString('base64') })));
  }
  const t1 = performance.now();

  // hashes as 32-bit words, compared with an early exit once past the limit
  const nw = Math.ceil((sigs[0]?.hash.length ?? 0) / 4);
  const packed = new Uint32Array(passing.length * nw);
  sigs.forEach((s, i) => {
    const padded = new Uint8Array(nw * 4);
    padded.set(s.hash);
    packed.set(new Uint32Array(padded.buffer), i * nw);
  });
  const popcount = (x: number): number => {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  };
  const limit = opts.maxHammingDistance;
  // the retained faces' hashes, packed in retention order: the inner loop reads them in sequence
  const keptWords = new Uint32Array(passing.length * nw);
  const kept: number[] = [];
  const half = Math.max(1, nw >> 1);
  const meshes = new Map<number, Float32Array>();
  const meshOf = (i: number) => meshes.get(i) ?? meshes.set(i, decodeMesh(passing[i].face!.mesh)).get(i)!;
  let marked = 0;
  for (let i = 0; i < passing.length; i++) {
    const oi = i * nw;
    let dupOf = -1;
    let found: { hash: number; mesh: number; correlation: number } | null = null;
    for (let k = 0; k < kept.length; k++) {
      const ok = k * nw;
      let d = 0;
      for (let w = 0; w < half; w++) d += popcount(packed[oi + w] ^ keptWords[ok + w]);
      if (d > limit) continue;
      for (let w = half; w < nw; w++) d += popcount(packed[oi + w] ^ keptWords[ok + w]);
      const j = kept[k];
      if (d > limit || passing[i].item.id === passing[j].item.id) continue;
      const m = { hash: d, mesh: meshDistance(meshOf(i), meshOf(j)), correlation: gradientCorrelation(sigs[i].thumb, sigs[j].thumb) };
      if (isNearDuplicate(m, opts)) {
        dupOf = j;
        found = m;
        break;
      }
    }
    if (dupOf < 0 || !found) {
      keptWords.set(packed.subarray(oi, oi + nw), kept.length * nw);
      kept.push(i);
      continue;
    }
    const v = passing[i];
    v.step = 'near duplicate';
    v.reason = `${duplicateOf(passing[dupOf])} (near duplicate: hash ${found.hash} bits, landmarks ${found.mesh.toFixed(2)} px, correlation ${found.correlation.toFixed(3)})`;
    marked++;
  }
  const t2 = performance.now();
  return { checked: passing.length, marked, computed: missing.length, signatureSeconds: (t1 - t0) / 1000, compareSeconds: (t2 - t1) / 1000 };
}

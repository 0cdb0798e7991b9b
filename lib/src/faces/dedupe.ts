/**
 * Near duplicates: the same photo re-encoded, resized or slightly cropped. Two faces are near
 * duplicates when the difference hashes (dHash) of their eye-aligned crops differ in few bits
 * AND, when descriptors are given, their face descriptors are close. Different photos of one
 * person (CelebA identities) must not be merged: see DEDUPE_DEFAULTS for the measured thresholds.
 *
 *   const hash = dHash(crop);                        // 64 or 256 bits of the aligned crop
 *   const groups = nearDuplicateGroups(faces, {});   // [[0, 7], [3, 4, 9]]: the first of each is kept
 */
import { integerInRange, numberInRange, withDefaults } from '../validate';
import type { RgbImage } from './align';

export interface DedupeOptions {
  /** Side of the hash grid: hashSize x hashSize bits. */
  hashSize?: number;
  /** Largest Hamming distance between two hashes of the same photo (bits). */
  maxHammingDistance?: number;
  /** Largest Euclidean distance between the descriptors of the same photo (face-api 128-d). */
  maxDescriptorDistance?: number;
}

/**
 * Defaults measured on CelebA's eye-aligned crops (the 9,000 kept by a full run), identities split
 * in halves (tuned on even identities, checked on odd ones; 1,218 same-identity pairs and 200
 * photos with 6 synthetic variants each on the checked half), dHash 16x16 = 256 bits of the
 * central 70% of the crop. Hash distance between a crop and its variant, 99th percentile:
 * JPEG quality 40: 8; resized to 50% and back: 15; to 25% and back: 20; brightness +10%: 9; a
 * 3-pixel shift (alignment jitter): 29. Different photos of one identity: median 84, 1st
 * percentile 30. At 28 bits, 1.0% of same-identity pairs fall under the hash limit (some CelebA
 * identities hold near-identical shots), 1% of 3-pixel shifts and 23% of 4% zooms of the crop
 * exceed it: the hash alone is not enough, so the descriptor distance gates every merge. Its
 * limit (0.25) is far under face-api's same-person threshold (0.6); it is not yet measured on
 * re-encoded photos (their descriptors need the network), so treat it as provisional.
 */
export const DEDUPE_DEFAULTS: Required<DedupeOptions> = {
  hashSize: 16,
  maxHammingDistance: 28,
  maxDescriptorDistance: 0.25,
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

/**
 * Seeded pseudo-random numbers for every random choice of the cluster stage (k-means++ seeding,
 * bootstrap samples, UMAP, synthetic data). Never `Math.random`: a fixed seed gives the same result.
 *
 * The generator is mulberry32 (32-bit state, period 2^32), fast and good enough for sampling;
 * `Random.fork()` derives an independent stream for each restart / bootstrap so that results do not
 * depend on the order in which they are computed (for example in worker threads).
 */
import { integerInRange } from '../validate';

/** A uniform random function in [0, 1), as umap-js and similar libraries take it. */
export type RandomFn = () => number;

/** Mixes a 32-bit integer (splitmix32 finaliser): turns nearby seeds into unrelated states. */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: a seeded uniform generator in [0, 1). */
export function mulberry32(seed: number): RandomFn {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random stream with the helpers the cluster stage needs. */
export class Random {
  readonly seed: number;
  private readonly next: RandomFn;
  private spare: number | null = null;

  constructor(seed: number) {
    this.seed = integerInRange('seed', seed, 0, 0xffffffff);
    this.next = mulberry32(hash32(seed));
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.next();
  }

  /** The generator as a plain function (for libraries that take one). */
  fn(): RandomFn {
    return () => this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An independent stream derived from this seed and `stream` (the same for the same pair). */
  fork(stream: number): Random {
    return new Random(hash32((this.seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number } | unknown[]>(a: T): T {
    const arr = a as unknown as unknown[];
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return a;
  }

  /** `m` distinct indices from [0, n), sorted ascending. */
  sample(n: number, m: number): Int32Array {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx.slice(0, m).sort();
  }
}

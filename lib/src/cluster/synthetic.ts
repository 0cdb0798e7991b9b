/**
 * Seeded synthetic data for tests, benchmarks and demos: Gaussian blobs, optionally on the unit
 * sphere (like L2-normalised face descriptors), with a share of uniform noise points.
 */
import { integerInRange, numberInRange, withDefaults } from '../validate';
import type { Matrix } from './matrix';
import { Random } from './random';

export interface BlobsOptions {
  /** Number of samples (default 300). */
  n?: number;
  /** Number of blobs (default 3). */
  centers?: number;
  /** Number of features (default 2). */
  dim?: number;
  /** Standard deviation of each blob per feature (default 1; on the sphere, relative to the unit radius). */
  std?: number;
  /** Box of the blob centres, [-spread, spread] per feature (default 10; ignored on the sphere). */
  spread?: number;
  /** Project centres and points to the unit sphere, like L2-normalised descriptors (default false). */
  onSphere?: boolean;
  /** Share of points drawn as background noise instead of from a blob, label -1 (default 0). */
  noise?: number;
  seed?: number;
}

const BLOBS_DEFAULTS: Required<BlobsOptions> = { n: 300, centers: 3, dim: 2, std: 1, spread: 10, onSphere: false, noise: 0, seed: 42 };

export interface Blobs {
  X: Matrix;
  /** Blob of every point (-1 for noise). Points are assigned to blobs in turn (sizes differ by at most one). */
  labels: Int32Array;
  centers: Matrix;
}

/** Gaussian blobs (see BlobsOptions). */
export function makeBlobs(options?: BlobsOptions): Blobs {
  const o = withDefaults('makeBlobs options', BLOBS_DEFAULTS, options);
  const n = integerInRange('n', o.n, 1);
  const k = integerInRange('centers', o.centers, 1);
  const d = integerInRange('dim', o.dim, 1);
  numberInRange('std', o.std, 0);
  numberInRange('noise', o.noise, 0, 1);
  const rng = new Random(integerInRange('seed', o.seed, 0, 0xffffffff));
  const C = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = o.onSphere ? rng.normal() : (rng.random() * 2 - 1) * o.spread;
      C[c * d + j] = v;
      s += v * v;
    }
    if (o.onSphere) for (let j = 0; j < d; j++) C[c * d + j] /= Math.sqrt(s);
  }
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  const std = o.onSphere ? o.std / Math.sqrt(d) : o.std;
  for (let i = 0; i < n; i++) {
    const isNoise = o.noise > 0 && rng.random() < o.noise;
    const c = i % k;
    labels[i] = isNoise ? -1 : c;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = isNoise
        ? (o.onSphere ? rng.normal() : (rng.random() * 2 - 1) * o.spread * 1.2)
        : C[c * d + j] + std * rng.normal();
      X[i * d + j] = v;
      s += v * v;
    }
    if (o.onSphere && s > 0) for (let j = 0; j < d; j++) X[i * d + j] /= Math.sqrt(s);
  }
  return { X: { rows: n, cols: d, data: X }, labels, centers: { rows: k, cols: d, data: C } };
}

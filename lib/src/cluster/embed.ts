/**
 * 2-D projections for the scatter chart: UMAP (umap-js, seeded through its `random` option, so a
 * fixed seed gives the same picture) and PCA as the fast, exact fallback (used when UMAP cannot
 * run: too few points for nNeighbors, or more than maxSamples points).
 */
import { UMAP } from 'umap-js';
import { integerInRange, numberInRange, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { type Matrix, type MatrixInput, toMatrix, toRows } from './matrix';
import { pca, transform } from './pca';
import { Random } from './random';

export interface UmapOptions {
  /** Neighbours of the UMAP graph (default 15). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  /** Optimisation epochs (default: umap-js's choice). */
  nEpochs?: number | null;
  seed?: number;
  /** Above this many points, PCA is used instead (default 20000). */
  maxSamples?: number;
}

export interface Projection {
  /** n x 2 coordinates. */
  embedding: Matrix;
  method: 'umap' | 'pca';
  /** Why the fallback was used, or other remarks. */
  warnings: string[];
}

/** First two principal components of X. */
export function pca2d(X: MatrixInput): Projection {
  const m = toMatrix(X);
  if (m.rows < 2 || m.cols < 2) {
    // one point or one feature: place points on a line
    const e = new Float64Array(m.rows * 2);
    for (let i = 0; i < m.rows; i++) e[i * 2] = m.cols ? m.data[i * m.cols] : 0;
    return { embedding: { rows: m.rows, cols: 2, data: e }, method: 'pca', warnings: ['fewer than 2 points or features: points placed on a line'] };
  }
  const p = pca(m, { nComponents: 2 });
  return { embedding: transform(p, m), method: 'pca', warnings: [] };
}

/** UMAP to 2-D with a seeded random generator, or the PCA fallback (see module comment). */
export function umap2d(X: MatrixInput, options?: UmapOptions): Projection {
  const m = toMatrix(X);
  const o = withDefaults('umap2d options', DEFAULTS.umap as Required<UmapOptions>, options);
  const nNeighbors = integerInRange('nNeighbors', o.nNeighbors, 2, 1000);
  const minDist = numberInRange('minDist', o.minDist, 0, 10);
  const seed = integerInRange('seed', o.seed, 0, 0xffffffff);
  const maxSamples = integerInRange('maxSamples', o.maxSamples, 1);
  if (o.nEpochs !== null) integerInRange('nEpochs', o.nEpochs, 1, 100000);
  if (m.rows <= nNeighbors) {
    const p = pca2d(m);
    p.warnings.push(`only ${m.rows} points for nNeighbors=${nNeighbors}: PCA projection used instead of UMAP`);
    return p;
  }
  if (m.rows > maxSamples) {
    const p = pca2d(m);
    p.warnings.push(`${m.rows} points exceed maxSamples=${maxSamples}: PCA projection used instead of UMAP`);
    return p;
  }
  const umap = new UMAP({
    nComponents: 2, nNeighbors, minDist, random: new Random(seed).fn(),
    ...(o.nEpochs !== null ? { nEpochs: o.nEpochs } : {}),
  });
  const rows = umap.fit(toRows(m));
  const e = new Float64Array(m.rows * 2);
  for (let i = 0; i < m.rows; i++) { e[i * 2] = rows[i][0]; e[i * 2 + 1] = rows[i][1]; }
  return { embedding: { rows: m.rows, cols: 2, data: e }, method: 'umap', warnings: [] };
}

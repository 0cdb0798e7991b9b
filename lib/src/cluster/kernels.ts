/**
 * Tight typed-array loops shared by the algorithms (distances, dot products). Internal: not
 * exported from the barrel. All matrices are row-major float64 (see matrix.ts).
 *
 * V8 does not vectorise; what pays off is register blocking (several rows and centres per pass
 * over the features, so that each value loaded is used more than once) and several accumulators.
 * Blocks of dot products go to the WebAssembly SIMD kernel (wasm.ts) when the matrix is bound.
 */
import { GRAM_MAX_B, bindGram, gramOf } from './wasm';

/** Squared euclidean distance between row `a` of A and row `b` of B (offsets in values). */
export function sqDist(A: Float64Array, ao: number, B: Float64Array, bo: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const t0 = A[ao + j] - B[bo + j];
    const t1 = A[ao + j + 1] - B[bo + j + 1];
    const t2 = A[ao + j + 2] - B[bo + j + 2];
    const t3 = A[ao + j + 3] - B[bo + j + 3];
    s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3;
  }
  for (; j < d; j++) { const t = A[ao + j] - B[bo + j]; s0 += t * t; }
  return s0 + s1 + s2 + s3;
}

/** Dot product of row `a` of A and row `b` of B. */
export function dot(A: Float64Array, ao: number, B: Float64Array, bo: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += A[ao + j] * B[bo + j];
    s1 += A[ao + j + 1] * B[bo + j + 1];
    s2 += A[ao + j + 2] * B[bo + j + 2];
    s3 += A[ao + j + 3] * B[bo + j + 3];
  }
  for (; j < d; j++) s0 += A[ao + j] * B[bo + j];
  return s0 + s1 + s2 + s3;
}

/**
 * Dot products of rows [r0, r1) of X with all k rows of C: out[(i - r0) * k + c] = x_i . c_c.
 * With `rows`, the rows are rows[r0..r1) instead (a gathered subset).
 * Blocked 4 rows x 2 centres (8 accumulators, 6 loads per 8 multiply-adds).
 */
export function dotBlock(
  X: Float64Array, r0: number, r1: number, d: number,
  C: Float64Array, k: number, out: Float64Array, rows: Int32Array | null = null,
): void {
  if (k <= GRAM_MAX_B) {
    const g = gramOf(X);
    if (g !== null && g.d === d) {
      for (let a = r0; a < r1; a += GRAM_MAX_B) {
        const b = Math.min(r1, a + GRAM_MAX_B);
        g.dots(a, b, C, k, a === r0 ? out : out.subarray((a - r0) * k), 0, rows);
      }
      return;
    }
  }
  let i = r0;
  for (; i + 3 < r1; i += 4) {
    let o0: number, o1: number, o2: number, o3: number;
    if (rows === null) { o0 = i * d; o1 = o0 + d; o2 = o1 + d; o3 = o2 + d; }
    else { o0 = rows[i] * d; o1 = rows[i + 1] * d; o2 = rows[i + 2] * d; o3 = rows[i + 3] * d; }
    const r = (i - r0) * k;
    let c = 0;
    for (; c + 1 < k; c += 2) {
      const p = c * d, q = p + d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let j = 0; j < d; j++) {
        const c0 = C[p + j], c1 = C[q + j];
        const x0 = X[o0 + j], x1 = X[o1 + j], x2 = X[o2 + j], x3 = X[o3 + j];
        a0 += x0 * c0; a1 += x1 * c0; a2 += x2 * c0; a3 += x3 * c0;
        b0 += x0 * c1; b1 += x1 * c1; b2 += x2 * c1; b3 += x3 * c1;
      }
      out[r + c] = a0; out[r + k + c] = a1; out[r + 2 * k + c] = a2; out[r + 3 * k + c] = a3;
      out[r + c + 1] = b0; out[r + k + c + 1] = b1; out[r + 2 * k + c + 1] = b2; out[r + 3 * k + c + 1] = b3;
    }
    for (; c < k; c++) {
      const p = c * d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let j = 0; j < d; j++) {
        const c0 = C[p + j];
        a0 += X[o0 + j] * c0; a1 += X[o1 + j] * c0; a2 += X[o2 + j] * c0; a3 += X[o3 + j] * c0;
      }
      out[r + c] = a0; out[r + k + c] = a1; out[r + 2 * k + c] = a2; out[r + 3 * k + c] = a3;
    }
  }
  for (; i < r1; i++) {
    const r = (i - r0) * k;
    const o = (rows === null ? i : rows[i]) * d;
    for (let c = 0; c < k; c++) out[r + c] = dot(X, o, C, c * d, d);
  }
}

/**
 * Squared distances of all n rows of X to the k rows of C through norms and dot products
 * (||x||^2 + ||c||^2 - 2 x.c, clamped at 0, as scikit-learn's euclidean_distances):
 * out[i * k + c].
 */
export function sqDistances(
  X: Float64Array, n: number, d: number, xn: Float64Array,
  C: Float64Array, k: number, cn: Float64Array, out: Float64Array,
): void {
  dotBlock(X, 0, n, d, C, k, out);
  for (let i = 0; i < n; i++) {
    const r = i * k, xi = xn[i];
    for (let c = 0; c < k; c++) {
      const v = xi + cn[c] - 2 * out[r + c];
      out[r + c] = v > 0 ? v : 0;
    }
  }
}

/** Squared norm of each of the `n` rows of A. */
export function sqNorms(A: Float64Array, n: number, d: number, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) out[i] = dot(A, i * d, A, i * d, d);
  return out;
}

/**
 * Visits the upper triangle of the pairwise distance matrix in square blocks of B rows, each
 * distance computed once: `visit(i0, i1, j0, j1, D)` with D[(i - i0) * (j1 - j0) + (j - j0)] for
 * i in [i0, i1), j in [j0, j1), j0 >= i0 (when j0 === i0 only j > i is meaningful).
 * 'euclidean' uses norms and dot products (clamped at 0); 'cosine' expects unit rows and gives
 * 1 - u_i . u_j clamped to [0, 2].
 */
export function pairBlocks(
  data: Float64Array, n: number, d: number, metric: 'euclidean' | 'cosine',
  visit: (i0: number, i1: number, j0: number, j1: number, D: Float64Array) => void,
  B = 128,
  rowFilter: ((blockRow: number) => boolean) | null = null,
): void {
  const xn = metric === 'euclidean' ? sqNorms(data, n, d) : null;
  const D = new Float64Array(B * B);
  const g = B <= GRAM_MAX_B ? bindGram(data, n, d) : null;
  for (let i0 = 0; i0 < n; i0 += B) {
    if (rowFilter && !rowFilter(i0 / B)) continue;
    const i1 = Math.min(n, i0 + B);
    for (let j0 = i0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      const nj = j1 - j0;
      if (g !== null) g.dots(i0, i1, null, nj, D, j0);
      else dotBlock(data, i0, i1, d, data.subarray(j0 * d, j1 * d), nj, D);
      const len = (i1 - i0) * nj;
      if (xn) {
        for (let i = i0; i < i1; i++) {
          const r = (i - i0) * nj, a = xn[i];
          for (let j = j0; j < j1; j++) {
            const v = a + xn[j] - 2 * D[r + j - j0];
            D[r + j - j0] = v > 0 ? Math.sqrt(v) : 0;
          }
        }
      } else {
        for (let t = 0; t < len; t++) {
          const v = 1 - D[t];
          D[t] = v < 0 ? 0 : v > 2 ? 2 : v;
        }
      }
      visit(i0, i1, j0, j1, D);
    }
  }
}

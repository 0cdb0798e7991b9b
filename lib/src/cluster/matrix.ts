/**
 * The data representation of the cluster stage: a dense row-major matrix of float64.
 *
 * `Matrix.data[i * cols + j]` is feature j of sample i. Float64 everywhere inside the stage (the
 * sums of k-means, PCA and the metrics need it; 9,000 x 130 is 9.4 MB). Callers may pass a
 * `Matrix` whose data is a Float32Array, or an array of rows (`number[][]`, `Float32Array[]` as
 * face-api gives descriptors): `toMatrix()` converts and validates (non-empty, rectangular,
 * finite), naming the first bad value.
 */
import { DataError, InvalidParameterError, numberInRange } from '../validate';

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major values, length rows * cols. */
  data: Float64Array;
}

/** What the functions of the stage accept as data: a matrix (float32 or float64) or rows. */
export type MatrixInput =
  | Matrix
  | { rows: number; cols: number; data: Float32Array }
  | ArrayLike<number>[];

/** A zero matrix, or a matrix over `data` (not copied). */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) {
    throw new DataError(`matrix data has length ${data.length}, expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

function isMatrixLike(x: unknown): x is { rows: number; cols: number; data: Float64Array | Float32Array } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'rows' in x && 'cols' in x;
}

/** Builds a matrix from rows (copied), checking they all have the same length. */
export function fromRows(rows: ArrayLike<number>[], param = 'X'): Matrix {
  if (!Array.isArray(rows)) throw new InvalidParameterError(param, 'a Matrix or an array of rows', rows);
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!r || typeof r.length !== 'number') throw new InvalidParameterError(`${param}[${i}]`, 'an array of numbers', r);
    if (r.length !== d) throw new DataError(`${param} is ragged: row ${i} has ${r.length} values, row 0 has ${d}`);
    for (let j = 0; j < d; j++) data[i * d + j] = r[j];
  }
  return { rows: n, cols: d, data };
}

/**
 * Converts and validates input data: a non-empty rectangular matrix of finite numbers.
 * A float64 Matrix is returned as is (not copied); anything else is copied into float64.
 */
export function toMatrix(x: MatrixInput, param = 'X'): Matrix {
  let m: Matrix;
  if (isMatrixLike(x)) {
    if (!(x.data instanceof Float64Array || x.data instanceof Float32Array)) {
      throw new InvalidParameterError(`${param}.data`, 'a Float64Array or Float32Array', x.data);
    }
    if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 0 || x.data.length !== x.rows * x.cols) {
      throw new DataError(`${param} has data of length ${x.data.length} for rows=${x.rows}, cols=${x.cols}`);
    }
    m = x.data instanceof Float64Array ? (x as Matrix) : { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) };
  } else if (Array.isArray(x)) {
    m = fromRows(x, param);
  } else {
    throw new InvalidParameterError(param, 'a Matrix or an array of rows', x);
  }
  if (m.rows === 0) throw new DataError(`empty input: ${param} has 0 rows`);
  if (m.cols === 0) throw new DataError(`empty input: ${param} has 0 columns`);
  const a = m.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      const r = Math.floor(i / m.cols);
      throw new DataError(`${param} contains ${a[i]} at row ${r}, column ${i - r * m.cols}`);
    }
  }
  return m;
}

/** The rows as plain arrays (for libraries and JSON). */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return out;
}

/** Row i as a view (no copy). */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Copy of the rows at `indices`, in that order. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const d = m.cols;
  const out = new Float64Array(indices.length * d);
  for (let t = 0; t < indices.length; t++) out.set(m.data.subarray(indices[t] * d, indices[t] * d + d), t * d);
  return { rows: indices.length, cols: d, data: out };
}

/**
 * Mean of the rows of each cluster 0..k-1 (k x d; rows labelled -1, noise, are left out) and the
 * cluster sizes. An empty cluster's mean is all zeros.
 */
export function clusterMeans(m: Matrix, labels: ArrayLike<number>, k: number): { centroids: Matrix; sizes: number[] } {
  const d = m.cols;
  const c = new Float64Array(k * d);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < m.rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    sizes[l]++;
    for (let j = 0; j < d; j++) c[l * d + j] += m.data[i * d + j];
  }
  for (let a = 0; a < k; a++) for (let j = 0; j < d; j++) c[a * d + j] /= Math.max(1, sizes[a]);
  return { centroids: { rows: k, cols: d, data: c }, sizes };
}

/** Squared L2 norm of every row. */
export function rowSquaredNorms(m: Matrix): Float64Array {
  const { rows: n, cols: d, data } = m;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += data[o + j] * data[o + j];
    out[i] = s;
  }
  return out;
}

/** Copy with every row scaled to unit L2 norm (an all-zero row stays zero, as in scikit-learn). */
export function l2normalizeRows(m: Matrix): Matrix {
  const out = new Float64Array(m.data);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += out[i * d + j] * out[i * d + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < d; j++) out[i * d + j] *= inv;
    }
  }
  return { rows: m.rows, cols: d, data: out };
}

/** Mean of every column. */
export function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}

export interface Standardized {
  matrix: Matrix;
  mean: Float64Array;
  /** Population standard deviation per column; 1 for a constant column (left centred at 0). */
  scale: Float64Array;
}

/** Centres every column and scales it to unit variance (population std, as sklearn's StandardScaler). */
export function standardizeColumns(x: MatrixInput): Standardized {
  const m = toMatrix(x);
  const { rows: n, cols: d } = m;
  const mean = columnMeans(m);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const v = m.data[i * d + j] - mean[j]; scale[j] += v * v; }
  for (let j = 0; j < d; j++) { const s = Math.sqrt(scale[j] / n); scale[j] = s > 1e-12 ? s : 1; }
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (m.data[i * d + j] - mean[j]) / scale[j];
  return { matrix: { rows: n, cols: d, data: out }, mean, scale };
}

/** One block of columns for `concatColumns`: its data and the factor its values are multiplied by. */
export interface ColumnBlock {
  x: MatrixInput;
  /** Multiplier of the block's values (default 1). */
  weight?: number;
}

/**
 * Side-by-side concatenation of column blocks with the same number of rows, each multiplied by
 * its weight: for example 128-d descriptors with weight 1 and [age/100, male] with weight 0.3.
 */
export function concatColumns(blocks: ColumnBlock[]): Matrix {
  if (!Array.isArray(blocks) || blocks.length === 0) throw new InvalidParameterError('blocks', 'a non-empty array of column blocks', blocks);
  const ms = blocks.map((b, i) => toMatrix(b.x, `blocks[${i}].x`));
  const ws = blocks.map((b, i) => numberInRange(`blocks[${i}].weight`, b.weight ?? 1));
  const n = ms[0].rows;
  ms.forEach((m, i) => {
    if (m.rows !== n) throw new DataError(`blocks[${i}].x has ${m.rows} rows, blocks[0].x has ${n}`);
  });
  const d = ms.reduce((s, m) => s + m.cols, 0);
  const out = new Float64Array(n * d);
  let off = 0;
  ms.forEach((m, b) => {
    const w = ws[b];
    for (let i = 0; i < n; i++) for (let j = 0; j < m.cols; j++) out[i * d + off + j] = m.data[i * m.cols + j] * w;
    off += m.cols;
  });
  return { rows: n, cols: d, data: out };
}

/** Validates a label vector of length n (integers, -1 = noise) and returns it as an Int32Array. */
export function toLabels(labels: ArrayLike<number>, n: number | null, param = 'labels'): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new InvalidParameterError(param, 'an array of integer labels', labels);
  }
  if (n !== null && labels.length !== n) throw new DataError(`${param} has ${labels.length} entries for ${n} samples`);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < -1) throw new InvalidParameterError(`${param}[${i}]`, 'integer >= -1', v);
    out[i] = v;
  }
  return out;
}

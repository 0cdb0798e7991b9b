/**
 * Gaussian mixture with diagonal covariances, fitted by EM, as scikit-learn's
 * `GaussianMixture(covariance_type='diag', init_params='kmeans')`: responsibilities initialised
 * from a K-Means fit (one restart, same seed), `regCovar` added to every variance, iterations
 * until the mean log-likelihood per sample improves by less than `tol`, then a final E-step so
 * labels match the parameters. BIC (lower is better) compares numbers of components:
 * BIC = -2 n L + p ln n with p = k d (means) + k d (variances) + k - 1 (weights).
 */
import { DataError, integerInRange, numberInRange, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';
import { kmeans } from './kmeans';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';
import { Random } from './random';

export interface GMMOptions {
  /** Number of components (required: no default). */
  k: number;
  /** Only 'diag' (diagonal covariances). */
  covarianceType?: 'diag';
  /** Maximum EM iterations per restart (default 100). */
  maxIter?: number;
  /** Convergence threshold on the mean log-likelihood gain (default 1e-3). */
  tol?: number;
  /** Non-negative regularisation added to the variances (default 1e-6). */
  regCovar?: number;
  /** Restarts (different K-Means seeds); the best likelihood wins (default 1). */
  nInit?: number;
  seed?: number;
}

export interface GMMResult {
  /** Which estimator made this result (what `predict()` dispatches on). */
  estimator: 'gmm';
  /** Most probable component of every sample. */
  labels: Int32Array;
  k: number;
  /** Mixing weights (sum 1). */
  weights: Float64Array;
  /** k x d component means. */
  means: Matrix;
  /** The same matrix as `means` (the name every clustering result shares). */
  centroids: Matrix;
  /** k x d diagonal variances. */
  variances: Matrix;
  /** n x k posterior probabilities (responsibilities). */
  probabilities: Matrix;
  /** Mean log-likelihood per sample of the best restart. */
  logLikelihood: number;
  /** Bayesian information criterion (lower is better). */
  bic: number;
  /** Akaike information criterion (lower is better). */
  aic: number;
  nParameters: number;
  nIter: number;
  converged: boolean;
  sizes: number[];
  warnings: string[];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** E-step: responsibilities (in `resp`) and the mean log-likelihood. */
function eStep(X: Float64Array, n: number, d: number, k: number, w: Float64Array, mu: Float64Array, v: Float64Array, resp: Float64Array): number {
  const logW = new Float64Array(k);
  const halfLogDet = new Float64Array(k);
  const prec = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    logW[c] = Math.log(w[c]);
    let s = 0;
    for (let j = 0; j < d; j++) { s += Math.log(v[c * d + j]); prec[c * d + j] = 1 / v[c * d + j]; }
    halfLogDet[c] = 0.5 * (d * LOG_2PI + s);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    const o = i * d;
    for (let c = 0; c < k; c++) {
      let q = 0;
      const p = c * d;
      for (let j = 0; j < d; j++) { const t = X[o + j] - mu[p + j]; q += t * t * prec[p + j]; }
      const lp = logW[c] - halfLogDet[c] - 0.5 * q;
      resp[i * k + c] = lp;
      if (lp > mx) mx = lp;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(resp[i * k + c] - mx);
    const lse = mx + Math.log(s);
    total += lse;
    for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(resp[i * k + c] - lse);
  }
  return total / n;
}

/** M-step: weights, means and variances from responsibilities. */
function mStep(X: Float64Array, n: number, d: number, k: number, resp: Float64Array, reg: number, w: Float64Array, mu: Float64Array, v: Float64Array): void {
  const nk = new Float64Array(k);
  mu.fill(0);
  v.fill(0);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      nk[c] += r;
      const p = c * d;
      for (let j = 0; j < d; j++) { const x = X[o + j]; mu[p + j] += r * x; v[p + j] += r * x * x; }
    }
  }
  for (let c = 0; c < k; c++) {
    nk[c] += 10 * Number.EPSILON;
    w[c] = nk[c] / n;
    const p = c * d;
    for (let j = 0; j < d; j++) {
      const m = mu[p + j] / nk[c];
      mu[p + j] = m;
      const vv = v[p + j] / nk[c] - m * m;
      v[p + j] = Math.max(vv, 0) + reg;
    }
  }
}

/** Most probable component of every row of the n x k responsibilities (lowest index on ties). */
function mostProbable(resp: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let bc = 0;
    for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + bc]) bc = c;
    labels[i] = bc;
  }
  return labels;
}

/** `predict()` of a mixture: the most probable component of every row of X. */
export function gmmPredict(model: GMMResult, X: MatrixInput): Int32Array {
  const m = toMatrix(X);
  const { k, means, variances, weights } = model;
  if (m.cols !== means.cols) throw new DataError(`gmm predict: X has ${m.cols} columns, the mixture was fitted on ${means.cols}`);
  const resp = new Float64Array(m.rows * k);
  eStep(m.data, m.rows, m.cols, k, weights, means.data, variances.data, resp);
  return mostProbable(resp, m.rows, k);
}

/** Gaussian mixture (see module comment). Deterministic for a fixed seed. */
export function gmm(X: MatrixInput, options: GMMOptions): GMMResult {
  const m = toMatrix(X);
  const o = withDefaults('gmm options', { k: undefined, ...DEFAULTS.gmm } as unknown as Required<GMMOptions>, options);
  const k = integerInRange('k', o.k, 1);
  integerInRange('maxIter', o.maxIter, 1);
  numberInRange('tol', o.tol, 0);
  const reg = numberInRange('regCovar', o.regCovar, 0);
  integerInRange('nInit', o.nInit, 1);
  integerInRange('seed', o.seed, 0, 0xffffffff);
  if (o.covarianceType !== 'diag') throw new DataError(`gmm: covarianceType '${String(o.covarianceType)}' is not supported, only 'diag'`);
  const { rows: n, cols: d, data } = m;
  if (n < k) throw new DataError(`only ${n} samples for k=${k}`);
  let best: { ll: number; w: Float64Array; mu: Float64Array; v: Float64Array; resp: Float64Array; nIter: number; converged: boolean } | null = null;
  const root = new Random(o.seed);
  for (let r = 0; r < o.nInit; r++) {
    const km = kmeans(m, { k, nInit: 1, seed: root.fork(r).seed });
    const resp = new Float64Array(n * k);
    for (let i = 0; i < n; i++) resp[i * k + km.labels[i]] = 1;
    const w = new Float64Array(k), mu = new Float64Array(k * d), v = new Float64Array(k * d);
    mStep(data, n, d, k, resp, reg, w, mu, v);
    let prev = -Infinity, ll = -Infinity, nIter = 0, converged = false;
    for (let it = 1; it <= o.maxIter; it++) {
      ll = eStep(data, n, d, k, w, mu, v, resp);
      mStep(data, n, d, k, resp, reg, w, mu, v);
      nIter = it;
      if (Math.abs(ll - prev) < o.tol) { converged = true; break; }
      prev = ll;
    }
    // final E-step: labels consistent with the parameters
    ll = eStep(data, n, d, k, w, mu, v, resp);
    if (best === null || ll > best.ll) best = { ll, w, mu, v, resp, nIter, converged };
  }
  const b = best!;
  const labels = mostProbable(b.resp, n, k);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  const nParameters = 2 * k * d + k - 1;
  const warnings: string[] = [];
  if (!b.converged) warnings.push(`GMM did not converge in ${b.nIter} iterations (k=${k}); raise maxIter or tol`);
  const empty = sizes.filter((s) => s === 0).length;
  if (empty > 0) warnings.push(`${empty} of ${k} GMM components own no sample`);
  const means: Matrix = { rows: k, cols: d, data: b.mu };
  return {
    estimator: 'gmm', labels, k, weights: b.w, means, centroids: means,
    variances: { rows: k, cols: d, data: b.v },
    probabilities: { rows: n, cols: k, data: b.resp },
    logLikelihood: b.ll,
    bic: -2 * n * b.ll + nParameters * Math.log(n),
    aic: -2 * n * b.ll + 2 * nParameters,
    nParameters, nIter: b.nIter, converged: b.converged, sizes, warnings,
  };
}

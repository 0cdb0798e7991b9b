/**
 * The cluster stage: data matrices, PCA, K-Means, DBSCAN, Ward, Gaussian mixtures, quality
 * metrics, the choice of k, method comparison, cluster explanations and 2-D projections.
 * Defaults: `DEFAULTS` (defaults.ts). Matrices: row-major float64 (matrix.ts).
 */
export { DEFAULTS } from './defaults';
export * from './matrix';
export * from './random';
export * from './synthetic';
export * from './pca';
export {
  type KMeansOptions, type KMeansResult, kmeans, kmeansPlusPlus,
} from './kmeans';
export {
  type Metric, type SilhouetteOptions, adjustedRandIndex, calinskiHarabasz, checkMetric, contingency, daviesBouldin,
  denseLabels, mutualInfo, nanMean, normalizedMutualInfo, silhouetteSamples, silhouetteSamplesMany, silhouetteScore,
} from './metrics';
export {
  type DBSCANOptions, type DBSCANResult, type EpsSuggestion, type KDistanceOptions, dbscan, kDistances, suggestEps,
} from './dbscan';
export * from './ward';
export { type GMMOptions, type GMMResult, gmm } from './gmm';
export { type ClusterModel, predict } from './predict';
export * from './analyze';
export * from './choose-k';
export { wasmAvailable, useWasmKernels, wasmKernelsEnabled } from './wasm';
export * from './compare';
export * from './compare-libraries';
export * from './embed';
export * from './split';

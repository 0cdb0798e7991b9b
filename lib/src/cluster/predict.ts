/**
 * One way to apply a fitted model to new rows, whatever the estimator (scikit-learn's `predict`
 * and `transform`, as free functions over the plain result objects):
 *
 * - `predict(model, X)`: cluster labels of new rows. K-Means and Ward: the nearest centroid (for
 *   Ward, the centroids of its cut at k); GMM: the most probable component; DBSCAN: the cluster of
 *   the nearest core sample within eps, else noise (-1).
 * - `transform(model, X)` / `inverseTransform(model, Y)` (pca.ts): PCA projections.
 */
import { DataError } from '../validate';
import { type DBSCANResult, dbscanPredict } from './dbscan';
import { type GMMResult, gmmPredict } from './gmm';
import { type KMeansResult, predictNearest } from './kmeans';
import type { MatrixInput } from './matrix';
import type { WardResult } from './ward';

/** A fitted clustering: what `predict()` takes. */
export type ClusterModel = KMeansResult | WardResult | GMMResult | DBSCANResult;

/** Cluster labels of the rows of X under a fitted model (see module comment). */
export function predict(model: ClusterModel, X: MatrixInput): Int32Array {
  switch (model?.estimator) {
    case 'kmeans':
    case 'ward':
      return predictNearest(X, model.centroids);
    case 'gmm':
      return gmmPredict(model, X);
    case 'dbscan':
      return dbscanPredict(model, X);
    default:
      throw new DataError(`predict: expected a kmeans(), ward(), gmm() or dbscan() result but received ${String((model as { estimator?: unknown })?.estimator ?? model)}`);
  }
}

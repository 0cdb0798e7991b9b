/**
 * Every default of the cluster stage in one place (`cluster.DEFAULTS.kmeans.nInit`...).
 * Each function documents its options; the values here are what an omitted option means.
 * Seeds default to the project seed (42, config.ts).
 */
export const DEFAULTS = {
  pca: {
    /** Number of components; null = decided by varianceToKeep, or all when that is null too. */
    nComponents: null as number | null,
    /** Keep the fewest components whose cumulative explained variance ratio reaches this (0..1]. */
    varianceToKeep: null as number | null,
    /** Scale the projected components to unit variance. */
    whiten: false,
  },
  /** Partition methods (kmeans, ward, gmm) have no default k: the caller always says how many. */
  kmeans: {
    nInit: 10,
    maxIter: 300,
    tol: 1e-4,
    seed: 42,
    init: 'k-means++' as 'k-means++' | 'random',
    algorithm: 'hamerly' as 'hamerly' | 'lloyd',
  },
  silhouette: {
    metric: 'euclidean' as 'euclidean' | 'cosine',
  },
  dbscan: {
    eps: 0.5,
    minSamples: 5,
    metric: 'euclidean' as 'euclidean' | 'cosine',
    /** Memory guard of the neighbour lists (8 bytes per pair). */
    maxNeighbourPairs: 50_000_000,
  },
  ward: {
    /**
     * Ward's exact merge tree is built on at most this many samples (memory n^2/2 float32 for the
     * distance matrix: 5,000 -> 50 MB, 9,000 -> 162 MB); larger inputs are clustered on a seeded
     * sample and the others assigned to the nearest cluster mean.
     */
    maxSamples: 9000,
    seed: 42,
  },
  gmm: {
    /** Only diagonal covariances: 2 x d parameters per component. */
    covarianceType: 'diag' as 'diag',
    maxIter: 100,
    /** Stop when the mean log-likelihood per sample improves by less than this. */
    tol: 1e-3,
    /** Added to every variance (numerical floor), as scikit-learn. */
    regCovar: 1e-6,
    /** Restarts from different K-Means initialisations (best likelihood kept). */
    nInit: 1,
    seed: 42,
  },
  analyzeK: {
    kMin: 2,
    kMax: 10,
    nInit: 10,
    seed: 42,
    /** Metric of the silhouette (K-Means itself is always euclidean: L2-normalise rows for cosine geometry). */
    metric: 'cosine' as 'euclidean' | 'cosine',
    /** Stability: `samples` K-Means fits on random subsets of `fraction` of the points (without replacement), `nInit` restarts each; samples 0 turns it off. */
    bootstrap: { samples: 20, fraction: 0.8, nInit: 3 },
    /** Worker threads for the restarts (1 = in this thread; 0 = one per core, at most 4). */
    workers: 0,
    /** Keep labels and centroids of every k (false: only the numbers). */
    keepLabels: true,
  },
  chooseK: {
    /** 'auto': the rule decides; a number: fixed by the user. */
    k: 'auto' as number | 'auto',
    /** 'elbow' or 'silhouette' (choose-k.ts). */
    rule: 'elbow' as 'elbow' | 'silhouette',
    /** Largest k allowed (the task's limit). */
    maxK: 10,
    /** A k is "stable" when its mean bootstrap ARI reaches this. */
    minStability: 0.8,
    /** The elbow's k keeps at least this share of the best stable silhouette. */
    minSeparation: 0.5,
    /** Silhouettes within this of the best count as a tie, and the smallest such k wins. */
    tolerance: 0.01,
  },
  umap: {
    nNeighbors: 15,
    minDist: 0.1,
    /** Training epochs; null = umap-js's choice (500 below 10,000 points). */
    nEpochs: null as number | null,
    seed: 42,
    /** Points above this are projected with PCA instead (UMAP on 9,000 x 128 takes ~1 min). */
    maxSamples: 20000,
  },
  explain: {
    /** Faces listed as closest to each centroid (the "typical" faces). */
    nClosest: 9,
    /** Faces listed as farthest from each centroid (the outliers). */
    nOutliers: 6,
  },
} as const;

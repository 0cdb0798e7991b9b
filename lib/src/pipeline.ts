/**
 * The clustering and average stages in one call each, doing what notebooks 02 and 03 do cell by
 * cell (for scripts, benchmarks and tests; `npm start` runs the notebooks themselves).
 */
import { runConfig, type RunConfigOptions } from './config';
import { faceAttributesFromMatrix, explainClusters } from './cluster/explain';
import { analyzeK, type KAnalysis, type KChoice } from './cluster/analyze';
import { alternatives, decideK, faceMatrix, kRange, loadClusters, methodJustification, reduce, writeClusters, type ClusterOutputs } from './cluster/stage';
import { extractFeatures, type FaceFeatures } from './features/extract';
import { loadPrepared } from './faces/prepare';
import { averageClusters, faceInputs, writeAverages } from './average/stage';
import type { AverageResult } from './average/average';

export interface ClusterStageResult {
  features: FaceFeatures;
  analysis: KAnalysis;
  choice: KChoice;
  outputs: ClusterOutputs;
  seconds: { features: number; analysis: number; alternatives: number; total: number };
}

/** Features, PCA, k = 2..10 analysis, the choice, the alternatives, explanations and outputs. */
export async function clusterStage(options: RunConfigOptions & { bootstrapSamples?: number; onProgress?: false } = {}): Promise<ClusterStageResult> {
  const t0 = Date.now();
  const cfg = runConfig(options);
  const prepared = loadPrepared(cfg.paths);
  const feats = await extractFeatures({ dataDir: cfg.paths.data, workers: cfg.workers, onProgress: options.onProgress === false ? false : null }, prepared);
  const t1 = Date.now();
  const fm = faceMatrix(feats);
  const reduced = reduce(fm, 0.9);
  const analysis = await analyzeK(reduced.X, { ...kRange(reduced.X.rows), nInit: 10, metric: 'cosine', seed: cfg.seed, bootstrap: { samples: options.bootstrapSamples ?? 20, fraction: 0.8 } });
  const choice = decideK(analysis, cfg.k);
  const chosen = analysis.scores.find((s) => s.k === choice.k)!;
  const t2 = Date.now();
  const alt = alternatives(reduced.X, chosen.labels, choice.k, cfg.seed);
  const t3 = Date.now();
  const explained = explainClusters(chosen.labels, faceAttributesFromMatrix(feats.attributes), { X: reduced.X, centroids: chosen.centroids });
  const outputs = writeClusters(cfg.paths, prepared, feats, chosen.labels, reduced.X, chosen.centroids, explained, {
    choice, methodJustification: methodJustification(alt, choice.k), analysis, comparison: alt.comparison, reduced, columns: fm.columns.length,
  });
  return {
    features: feats, analysis, choice, outputs,
    seconds: { features: (t1 - t0) / 1000, analysis: (t2 - t1) / 1000, alternatives: (t3 - t2) / 1000, total: (Date.now() - t0) / 1000 },
  };
}

/** Averages per cluster and over everyone, written to data/processed/averages/. */
export async function averageStage(options: RunConfigOptions = {}): Promise<{ result: AverageResult; files: string[] }> {
  const cfg = runConfig(options);
  const prepared = loadPrepared(cfg.paths);
  const clusters = loadClusters(cfg.paths);
  const result = await averageClusters(faceInputs(prepared, clusters, 'mesh468'), clusters.file.k, { workers: cfg.workers });
  const files = await writeAverages(cfg.paths, result, clusters.file.clusters.map((c) => c.label));
  return { result, files };
}

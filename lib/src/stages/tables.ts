/**
 * Display-ready tables and texts of the stages' results, for the notebooks' cells and the report:
 * rows of plain values already rounded for reading (one decimal; shares as %), so a cell is one
 * call and a `show`, with no formatting logic of its own.
 */
import type { RunConfig } from '../config';
import type { SourceSummary } from '../sources/types';
import type { AverageResult } from '../average/average';
import { formatSkips } from '../average/average';
import type { KChoice } from '../cluster/choose-k';
import type { ClusterExplanations } from './explain';
import type { PreparedFaces, PrepareResult } from './prepare';
import type { Alternatives, ClusterOutputs, FaceMatrix, FeatureSetRow, Reduced } from './types';

export type Row = Record<string, string | number | null>;

/** A number rounded to `digits` decimals (NaN and infinities stay as they are). */
export function round(v: number, digits = 1): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A share in [0, 1] as a percentage with one decimal. */
export function percent(share: number): number {
  return round(100 * share, 1);
}

/** The settings a notebook runs with. */
export function configRows(cfg: RunConfig): Row[] {
  return [{ source: cfg.source, keep: cfg.keep, k: String(cfg.k), workers: cfg.workers, seed: cfg.seed, data: cfg.paths.data }];
}

/** Photos the source's metadata rules out before any detector runs, by reason. */
export function preRejectedRows(summary: SourceSummary): Row[] {
  return Object.entries(summary.preRejected).map(([reason, photos]) => ({ 'pre-filter reason': reason, photos }));
}

/** What the preparation did, in one row. */
export function prepareRunRows(result: PrepareResult): Row[] {
  return [{
    photos: result.source.photos, measured: result.measured, cached: result.cached, failed: result.failed,
    kept: result.kept.length, seconds: round(result.seconds), 'photos/s': round(result.rate),
    backend: result.backend ?? '(all cached)',
  }];
}

/** Where the preparation wrote its outputs. */
export function prepareOutputRows(result: PrepareResult): Row[] {
  const p = result.paths;
  return [{ faces: p.faces, manifest: p.manifestCsv, 'faces.json': p.facesJson, landmarks: p.mesh468, cache: p.records }];
}

/** The prepared faces a clustering or averaging notebook starts from. */
export function preparedRows(prepared: PreparedFaces, cfg: RunConfig): Row[] {
  return [{ faces: prepared.images.length, source: prepared.file.source.label, k: String(cfg.k), seed: cfg.seed }];
}

/** One sentence on the PCA reduction (markdown). */
export function reductionText(matrix: FaceMatrix, reduced: Reduced): string {
  const p = reduced.pca;
  const kept = percent(p.cumulativeVarianceRatio[p.nComponents - 1]);
  return `${matrix.columns.length} feature columns → **${p.nComponents} principal components** keep ${kept}% of the variance.`;
}

/** The choice of k with its justification and the steps of the rule (markdown). */
export function choiceMarkdown(choice: KChoice): string {
  return `**k = ${choice.k}** (${choice.method})\n\n${choice.justification}\n\n${choice.reasons.map((r) => `* ${r}`).join('\n')}`;
}

/** K-Means and the alternative methods side by side. */
export function comparisonRows(alt: Alternatives): Row[] {
  return alt.comparison.rows.map((r) => ({
    method: r.method, params: r.params, clusters: r.nClusters, 'noise %': percent(r.noiseShare),
    silhouette: round(r.silhouette, 3), 'Davies-Bouldin': round(r.daviesBouldin, 2),
    'Calinski-Harabasz': round(r.calinskiHarabasz, 0), sizes: r.sizes.join(' '),
  }));
}

/** Every cluster with its label, size, age, gender share and top expressions. */
export function explanationRows(explained: ClusterExplanations): Row[] {
  return explained.clusters.map((c) => ({
    cluster: c.cluster, label: c.label, faces: c.size, 'age mean': round(c.ageMean), 'age sd': round(c.ageStd),
    'men %': percent(c.maleShare),
    expressions: c.dominantExpressions.map((d) => `${d.expression} ${Math.round(100 * d.mean)}%`).join(', '),
  }));
}

/** '<cluster>: <label>' for every cluster, for chart legends. */
export function clusterNames(explained: ClusterExplanations): string[] {
  return explained.clusters.map((c) => `${c.cluster}: ${c.label}`);
}

/** The feature sets compared at the chosen k, with the NMI against each external label. */
export function featureSetRows(rows: FeatureSetRow[]): Row[] {
  return rows.map((r) => ({
    features: r.features, columns: r.columns, components: r.components, silhouette: round(r.silhouette, 3),
    ...Object.fromEntries(Object.entries(r.nmi).map(([a, v]) => [`NMI ${a}`, round(v, 3)])),
  }));
}

/** Where the clustering wrote its outputs. */
export function clusterOutputRows(out: ClusterOutputs): Row[] {
  return [{ csv: out.csv, json: out.json, folders: out.folders.join(', ') }];
}

/** What an averaging run did, in one row. */
export function averageRunRows(result: AverageResult): Row[] {
  return [{
    faces: result.seen, averaged: result.used, skipped: formatSkips(result.skipped) || 'none', seconds: round(result.seconds),
  }];
}

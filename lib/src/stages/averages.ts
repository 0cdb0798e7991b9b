/**
 * The average stage as notebook 03 and `npm start` run it: the prepared faces (crops + 468-point
 * meshes), grouped by the clustering's labels, averaged per cluster and globally, saved as PNGs
 * in data/processed/averages/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectPaths, RunConfig } from '../config';
import { LANDMARK68_VALUES, MESH468_VALUES } from '../faces/landmarks';
import { ATTRIBUTE, ATTRIBUTE_DIM } from '../features/layout';
import { loadPrepared, type PreparedFaces } from './prepare';
import { loadClusters } from './types';
import type { FaceFeatures } from './features';
import { maskDir, maskPath, type SegmentModel } from '../faces/segment';
import { hasMask } from './masks';
import { DataError, oneOf } from '../validate';
import { STAMP_FILE, stampMismatch, writeStamp } from '../io/provenance';
import { averageFaces, type AverageOptions, type AverageResult } from '../average/average';
import { averagePng, gridImage, saveAverages, type GridTile } from '../average/finish';
import type { FaceInput } from '../average/types';

export type LandmarkSet = 'mesh468' | 'landmarks68';

/**
 * One FaceInput per prepared face: its crop, its landmarks (the dense 468-point mesh by default:
 * a finer warp than the 68 points), its group (the cluster, by face name; -1/absent: global only)
 * and its person mask when the features stage computed the masks (`masks`: a mask folder, see
 * maskFolder(); faces without a mask file get none).
 */
export function faceInputs(
  prepared: PreparedFaces,
  groups: { faces: string[]; labels: ArrayLike<number> } | null,
  points: LandmarkSet = 'mesh468',
  masks: string | null = null,
): FaceInput[] {
  oneOf('points', points, ['mesh468', 'landmarks68'] as const);
  const per = points === 'mesh468' ? MESH468_VALUES : LANDMARK68_VALUES;
  const src = points === 'mesh468' ? prepared.mesh468 : prepared.landmarks68;
  const groupOf = new Map<string, number>();
  if (groups) groups.faces.forEach((f, i) => groupOf.set(f, groups.labels[i]));
  return prepared.file.faces.map((f, i) => {
    const g = groupOf.get(f.name);
    const image = prepared.images[i];
    const personMask = masks && hasMask(masks, image) ? maskPath(masks, image) : null;
    return { image, points: src.subarray(i * per, (i + 1) * per), group: g !== undefined && g >= 0 ? g : null, personMask };
  });
}

/** The folder of the person masks of a run's faces (computed by the features stage), or null when absent. */
export function maskFolder(paths: ProjectPaths, model: SegmentModel = 'selfie'): string | null {
  const dir = maskDir(paths.interim, model);
  return fs.existsSync(dir) ? dir : null;
}

/** Groups by estimated gender (0 women, 1 men) from the features' male probability. */
export function genderGroups(names: string[], attributes: Float32Array): { faces: string[]; labels: Int32Array } {
  return { faces: names, labels: Int32Array.from(names, (_, i) => (attributes[i * ATTRIBUTE_DIM + ATTRIBUTE.male] > 0.5 ? 1 : 0)) };
}

/**
 * The face region of the averages: the mesh hull extended over the forehead by 25% of the
 * landmarks' height and grown by 3% of the width, with an 8% feathered edge, so the hairline and
 * the hair framing the face are kept (as in the peers' averages) while the photos' varied
 * backgrounds fade into the grey; a ring of points 1.2x around the face moves with it, so the hair
 * at the sides is warped with the face. Chosen by comparing masks on CelebA averages (the mesh alone
 * stops at the upper forehead: a bald oval).
 */
export const AVERAGE_MASK: AverageOptions = { forehead: 0.25, expand: 0.03, feather: 0.08, ring: 1.2 };

/**
 * Averages of the clusters and of everyone (see averageFaces for the options): whole heads
 * (`composite: 'person'`) when most faces have a person mask, else the face region.
 */
export async function averageClusters(inputs: FaceInput[], k: number, options: AverageOptions = {}): Promise<AverageResult> {
  if (inputs.length === 0) throw new DataError('no faces to average: the preparation kept none');
  const masked = inputs.filter((f) => f.personMask).length;
  const composite = masked >= 0.5 * inputs.length ? 'person' : 'face';
  return averageFaces(inputs, { groups: k, ...AVERAGE_MASK, composite, ...options });
}

/**
 * Writes the averages (see saveAverages) into data/processed/averages/ after clearing the
 * previous run's PNGs and morph GIFs there (only *.png and *.gif: the folder holds nothing else of ours).
 */
export async function writeAverages(paths: ProjectPaths, result: AverageResult, labels: string[]): Promise<string[]> {
  const dir = paths.averages;
  removeAverages(paths);
  const files = await saveAverages(result, dir, { labels });
  writeStamp(dir, averagesInputs(paths));
  return files;
}

/** The files the averages are made from (recorded in averages/made-from.json). */
export function averagesInputs(paths: ProjectPaths): Record<string, string> {
  return { 'clusters.csv': path.join(paths.processed, 'clusters.csv'), 'faces.json': path.join(paths.processed, 'faces.json') };
}

/** Removes the averages' PNGs, morph GIFs and their stamp; returns how many files went. */
export function removeAverages(paths: ProjectPaths): number {
  const dir = paths.averages;
  let n = 0;
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) {
      if (/\.(png|gif)$/.test(f) || f === STAMP_FILE) {
        fs.rmSync(path.join(dir, f));
        n++;
      }
    }
  }
  return n;
}

/**
 * Null when the averages on disk were made from the current clusters and faces (or there are
 * none); else why they no longer match ('clusters.csv changed since').
 */
export function staleAverages(paths: ProjectPaths): string | null {
  if (!fs.existsSync(paths.averages) || !fs.readdirSync(paths.averages).some((f) => f.endsWith('.png'))) return null;
  return stampMismatch(paths.averages, averagesInputs(paths));
}

/** The warped average next to the pixel mean of the same faces, as one labelled PNG. */
export async function warpVersusPixelMean(result: AverageResult, group: number | null = null): Promise<Buffer> {
  const g = group === null ? result.global : result.groups[group];
  if (!g) throw new DataError(`no group ${group} in this result (${result.groups.length} groups)`);
  const tiles: GridTile[] = [];
  if (g.pixelMean) tiles.push({ image: await averagePng(g.pixelMean), label: `pixel mean of the aligned crops (n=${g.count})` });
  tiles.push({ image: await averagePng(g.average), label: `warped to the mean shape (n=${g.count})` });
  return gridImage(tiles, { columns: tiles.length, title: group === null ? 'Everyone: what the warp buys' : `Cluster ${group}: what the warp buys` });
}

/**
 * Other averages to compare ours with (the images of a folder the user gives: `compareAverages`
 * of the run config, FACETYPE_COMPARE_AVERAGES), for a side-by-side look; null when none.
 */
export function comparisonAverageFiles(dir: string | null): string[] | null {
  if (!dir || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  const files = fs.readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(dir, f));
  return files.length ? files : null;
}

/** Comparison averages in one labelled row (each labelled with its file name). */
export async function comparisonGrid(files: string[], title = 'Averages to compare with'): Promise<Buffer> {
  const tiles: GridTile[] = files.map((f) => ({ image: fs.readFileSync(f), label: path.basename(f) }));
  return gridImage(tiles, { columns: tiles.length, title });
}

/**
 * Averages of the faces by estimated gender (face-api's male probability > 0.5), on the first
 * `limit` faces (the best by quality), as one labelled PNG: women, men; whole heads with the
 * person masks' folder (`masks`, see maskFolder()).
 */
export async function genderAverageGrid(prepared: PreparedFaces, features: FaceFeatures, options: { limit?: number; masks?: string | null } = {}): Promise<Buffer> {
  const groups = genderGroups(features.names, features.attributes);
  const inputs = faceInputs(prepared, groups, 'mesh468', options.masks ?? null).slice(0, options.limit ?? 3000);
  const r = await averageClusters(inputs, 2, { pixelMean: false });
  const tiles: GridTile[] = [];
  for (const [g, word] of [[0, 'women'], [1, 'men']] as const) {
    tiles.push({ image: await averagePng(r.groups[g].average), label: `${word} (n=${r.groups[g].count})` });
  }
  return gridImage(tiles, { columns: 2, title: 'Average by estimated gender' });
}

/** Notebook 03's main steps in one call (scripts, benchmarks, tests): averages per cluster and over everyone, written. */
export async function runAveragesStage(cfg: RunConfig, options: AverageOptions = {}): Promise<{ result: AverageResult; files: string[] }> {
  const prepared = loadPrepared(cfg.paths);
  const clusters = loadClusters(cfg.paths);
  const inputs = faceInputs(prepared, clusters, 'mesh468', maskFolder(cfg.paths));
  const result = await averageClusters(inputs, clusters.file.k, { workers: cfg.workers, ...options });
  const files = await writeAverages(cfg.paths, result, clusters.file.clusters.map((c) => c.label));
  return { result, files };
}

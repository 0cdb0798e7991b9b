/**
 * The average face of every node of the tree of types: each level-1 type and each leaf (a
 * level-1 type kept whole is its own leaf), through the average stage's public functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { averageClusters, faceInputs } from './averages';
import { averagePng, gridImage } from '../average/finish';
import type { AverageResult } from '../average/average';
import type { PreparedFaces } from './prepare';
import type { ClustersFile } from './types';
import { DataError } from '../validate';

export interface NodeAverages {
  /** Averages of the level-1 types (index = level-1 type). */
  level1: AverageResult;
  /** A grid: every level-1 type, followed by its parts when it was split. */
  grid: Buffer;
}

/** The file the grid of every node's average is written to (beside the cluster averages). */
export const TREE_GRID_FILE = 'tree.png';

/**
 * Averages the level-1 types (one pass over the faces, with the same person masks as the leaves'
 * averages: `masks`, see maskFolder) and lays them out with the leaves' averages (`leaves`, from
 * averageClusters on the leaves) in tree order. With `dir` the grid is also written there as
 * tree.png (the report shows it).
 */
export async function nodeAverages(
  prepared: PreparedFaces, clusters: { file: ClustersFile; faces: string[]; level1: Int32Array | null }, leaves: AverageResult,
  options: { workers?: number; masks?: string | null; dir?: string } = {},
): Promise<NodeAverages> {
  const tree = clusters.file.tree;
  if (!tree || !clusters.level1) throw new DataError(`clusters.json has no tree of types: run the clustering (notebook 02) again`);
  const level1 = await averageClusters(faceInputs(prepared, { faces: clusters.faces, labels: clusters.level1 }, 'mesh468', options.masks ?? null), tree.level1K, options.workers ? { workers: options.workers } : {});
  const tiles = [];
  for (const n of tree.nodes) {
    const g = n.level === 1 ? level1.groups[n.parent] : leaves.groups[n.leaf!];
    if (!g || g.count === 0) continue;
    tiles.push({ image: await averagePng(g.average), label: `${n.id}: ${n.label} (n=${g.count})` });
  }
  const grid = await gridImage(tiles, { columns: 4, title: 'Average face of every type (level 1) and sub-type (level 2)' });
  if (options.dir) {
    fs.mkdirSync(options.dir, { recursive: true });
    fs.writeFileSync(path.join(options.dir, TREE_GRID_FILE), grid);
  }
  return { level1, grid };
}


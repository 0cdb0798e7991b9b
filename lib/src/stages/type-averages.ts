/**
 * The average face of every node of the tree of types: each level-1 type and each leaf (a
 * level-1 type kept whole is its own leaf), through the average stage's public functions.
 */
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

/**
 * Averages the level-1 types (one pass over the faces) and lays them out with the leaves'
 * averages (`leaves`, from averageClusters on the leaves) in tree order.
 */
export async function nodeAverages(
  prepared: PreparedFaces, clusters: { file: ClustersFile; faces: string[]; level1: Int32Array | null }, leaves: AverageResult, options: { workers?: number } = {},
): Promise<NodeAverages> {
  const tree = clusters.file.tree;
  if (!tree || !clusters.level1) throw new DataError(`clusters.json has no tree of types: run the clustering (notebook 02) again`);
  const level1 = await averageClusters(faceInputs(prepared, { faces: clusters.faces, labels: clusters.level1 }, 'mesh468'), tree.level1K, options.workers ? { workers: options.workers } : {});
  const tiles = [];
  for (const n of tree.nodes) {
    const g = n.level === 1 ? level1.groups[n.parent] : leaves.groups[n.leaf!];
    if (!g || g.count === 0) continue;
    tiles.push({ image: await averagePng(g.average), label: `${n.id}: ${n.label} (n=${g.count})` });
  }
  const grid = await gridImage(tiles, { columns: 4, title: 'Average face of every type (level 1) and sub-type (level 2)' });
  return { level1, grid };
}


/**
 * Contact sheets of each cluster: the faces closest to its centre (what the cluster is) and its
 * outliers (where it frays), with the cluster's colour.
 */
import * as path from 'node:path';
import type { ClusterExplanations } from '../stages/explain';
import { clusterColor } from './figure';
import { contactSheet } from './images';

export interface ClusterSheet {
  cluster: number;
  label: string;
  size: number;
  png: Buffer;
}

/** One sheet per cluster: closest faces, then outliers. `images[i]` is face i's crop. */
export async function clusterSheets(explanations: ClusterExplanations, images: string[], options: { tile?: number } = {}): Promise<ClusterSheet[]> {
  const out: ClusterSheet[] = [];
  for (const c of explanations.clusters) {
    const color = clusterColor(c.cluster);
    const tiles = [
      ...c.closest.map((i, r) => ({ image: images[i], caption: `centre #${r + 1}\n${path.basename(images[i]).slice(0, 18)}`, color })),
      ...c.outliers.map((i, r) => ({ image: images[i], caption: `outlier #${r + 1}\n${path.basename(images[i]).slice(0, 18)}`, color: '#9e9e9e' })),
    ];
    const title = `Cluster ${c.cluster}: ${c.label} (${c.size} faces, age ${c.ageMean.toFixed(0)}±${c.ageStd.toFixed(0)}, ${Math.round(100 * c.maleShare)}% men): closest to the centre, then outliers`;
    out.push({ cluster: c.cluster, label: c.label, size: c.size, png: await contactSheet(tiles, { columns: Math.max(8, Math.ceil(tiles.length / 2)), tile: options.tile ?? 96, title }) });
  }
  return out;
}

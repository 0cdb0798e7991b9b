/**
 * Comparisons between averages: a morph between two types (shape and texture, morph.ts), the
 * pair of types whose averages differ most, the face-region and whole-head composites side by
 * side, and the crispness of every average next to its pixel mean.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../validate';
import type { AverageResult } from './average';
import { crispness, shapeEyes } from './crisp';
import { averagePng, gridImage } from './finish';
import { morphAnimation, morphFrames, morphStrip } from './morph';
import type { RgbImage } from './types';

/** The two groups (with faces) whose averages differ most (mean absolute pixel difference): a telling morph. */
export function mostDifferentPair(result: AverageResult): [number, number] {
  const used = result.groups.filter((g) => g.count > 0);
  if (used.length < 2) throw new DataError(`a morph needs two groups with faces, this result has ${used.length}`);
  let best: [number, number] = [used[0].group as number, used[1].group as number];
  let bestD = -1;
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      const a = used[i].average.data;
      const b = used[j].average.data;
      let d = 0;
      for (let p = 0; p < a.length; p++) d += Math.abs(a[p] - b[p]);
      if (d > bestD) {
        bestD = d;
        best = [used[i].group as number, used[j].group as number];
      }
    }
  }
  return best;
}

/**
 * A morph between the averages of groups `a` and `b` (shape and texture, see morph.ts): a labelled
 * strip (PNG) and a looping animation (GIF), written as morph-<a>-<b>.png/.gif into `dir` when given.
 */
export async function morphTypes(
  result: AverageResult,
  a: number,
  b: number,
  options: { labels?: readonly string[] | null; dir?: string | null; steps?: number } = {},
): Promise<{ strip: Buffer; animation: Buffer; files: string[] }> {
  const ga = result.groups[a];
  const gb = result.groups[b];
  if (!ga || !gb) throw new DataError(`no group ${!ga ? a : b} in this result (${result.groups.length} groups)`);
  const frames = morphFrames(ga, gb, { steps: options.steps ?? 9 });
  const name = (g: number) => (options.labels?.[g] ? `${g} · ${options.labels[g]}` : `type ${g}`);
  const strip = await morphStrip(frames, [name(a), name(b)]);
  const animation = await morphAnimation(frames);
  const files: string[] = [];
  if (options.dir) {
    fs.mkdirSync(options.dir, { recursive: true });
    for (const [ext, buf] of [['png', strip], ['gif', animation]] as const) {
      const file = path.join(options.dir, `morph-${a}-${b}.${ext}`);
      fs.writeFileSync(file, buf);
      files.push(file);
    }
  }
  return { strip, animation, files };
}

/** The same average composed two ways side by side: the face region (first version) and the whole head. */
export async function compositeComparison(faceRegion: AverageResult, wholeHead: AverageResult, group: number | null = null): Promise<Buffer> {
  const pick = (r: AverageResult) => (group === null ? r.global : r.groups[group]);
  const a = pick(faceRegion);
  const b = pick(wholeHead);
  if (!a || !b) throw new DataError(`no group ${group} in these results`);
  return gridImage(
    [
      { image: await averagePng(a.average), label: `face region (n=${a.count})` },
      { image: await averagePng(b.average), label: `whole head, person masks (n=${b.count})` },
    ],
    { columns: 2, title: group === null ? 'Everyone: face region against whole head' : `Cluster ${group}: face region against whole head` },
  );
}

/**
 * Crispness (crisp.ts: RMS luminance gradient of the eyes-nose-mouth region at a 64 px eye
 * distance) of every average of a result and of its pixel mean, one row each.
 */
export function crispnessRows(result: AverageResult, labels: readonly string[] | null = null): Record<string, string | number>[] {
  return [result.global, ...result.groups].map((g) => {
    const eyes = shapeEyes(g.meanShape);
    const score = (img: RgbImage | null) => (eyes && img && g.count > 0 ? Number(crispness(img, eyes[0], eyes[1]).toFixed(2)) : '');
    return {
      average: g.group === null ? 'all' : labels?.[g.group] ? `${g.group} · ${labels[g.group]}` : `cluster ${g.group}`,
      faces: g.count,
      'pixel mean': score(g.pixelMean),
      warped: score(g.average),
    };
  });
}

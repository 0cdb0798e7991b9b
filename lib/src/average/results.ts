/**
 * The last step of averageFaces(): each target's sums divided by their count (or by the summed
 * weights per pixel) and composed over the background with the target's mask, or with the mean
 * person alpha in the 'person' composite; the pixel means likewise.
 */
import type { AverageGroup } from './average';
import { addSums, type ImageSums, type Sums } from './image-pass';
import { composeOver } from './mask';
import type { ResolvedOptions } from './options';
import type { Shapes } from './shape-pass';
import type { Target } from './targets';
import type { RgbImage } from './types';

/** The global average and one per group; warns of groups none of whose images could be used. */
export function finishTargets(
  o: ResolvedOptions,
  shapes: Shapes,
  targets: Target[],
  sums: ImageSums,
  warnings: string[],
): { global: AverageGroup; groups: AverageGroup[] } {
  // each face's unwarped crop went into one target (its group's, or 0): the global pixel sum is
  // the sum over all targets
  if (o.pixelMean) {
    for (let t = 1; t < targets.length; t++) addSums(sums.pixel[0], sums.pixel[t]);
  }
  const finish = (t: number): AverageGroup => {
    if (t > 0 && sums.warp[t].count === 0 && shapes.sums.has(t - 1)) {
      warnings.push(`group ${t - 1}: none of its images could be used, its average is the background`);
    }
    const skipped = t === 0 ? { ...shapes.skips.total } : shapes.skips.ofGroup(t - 1);
    return finishTarget(o, targets[t], sums.warp[t], sums.pixel[t], t === 0 ? null : t - 1, skipped);
  };
  const global = finish(0);
  return { global, groups: Array.from({ length: shapes.groups }, (_, g) => finish(g + 1)) };
}

/** The average of one target from its warped and unwarped sums. */
function finishTarget(
  o: ResolvedOptions,
  { shape, mesh, mask: faceMask }: Target,
  w: Sums,
  p: Sums,
  group: number | null,
  skipped: AverageGroup['skipped'],
): AverageGroup {
  const { size, background, person } = o;
  const plane = size * size * 3;
  const warped = meanOfSums(w, plane, background, person);
  const raw = warped.colour;
  const mask = person ? warped.alpha : faceMask;
  const alpha = w.count > 0 ? mask : new Float32Array(size * size);
  let pixelMean: RgbImage | null = null;
  if (o.pixelMean) {
    const mean = meanOfSums(p, plane, background, person);
    pixelMean = image(composeOver(mean.colour, p.count > 0 ? (person ? mean.alpha : mask) : new Float32Array(size * size), background), size);
  }
  return {
    group,
    count: w.count,
    skipped,
    meanShape: shape,
    mesh,
    mask,
    average: image(composeOver(raw, alpha, background), size),
    raw: { data: raw, width: size, height: size, channels: 3 },
    pixelMean,
  };
}

/**
 * Colours of summed faces: divided by the count, or with weights by the summed weight per pixel
 * (the background colour where nothing was summed); `alpha`: the mean weight per pixel (person
 * composite), else null.
 */
function meanOfSums(s: Sums, plane: number, background: readonly [number, number, number], person: boolean): { colour: Float32Array; alpha: Float32Array | null } {
  const colour = new Float32Array(plane);
  if (s.count === 0) return { colour, alpha: person ? new Float32Array(plane / 3) : null };
  if (s.weight.length === 0) {
    for (let i = 0; i < plane; i++) colour[i] = s.sum[i] / s.count;
    return { colour, alpha: null };
  }
  const alpha = new Float32Array(plane / 3);
  for (let p = 0; p < plane / 3; p++) {
    const w = s.weight[p];
    alpha[p] = w / s.count;
    for (let c = 0; c < 3; c++) colour[3 * p + c] = w > 1e-6 ? s.sum[3 * p + c] / w : background[c];
  }
  return { colour, alpha: person ? alpha : null };
}

function image(data: Uint8Array, size: number): RgbImage {
  return { data, width: size, height: size, channels: 3 };
}

/**
 * A morph between two averages (two types): shape and texture blended together.
 *
 * At step t in [0, 1] the target shape is the linear interpolation of the two groups' mesh points
 * (landmarks, ring and frame points: every group's mesh has the same layout), triangulated afresh;
 * each average is warped (piecewise-affine, warp.ts) from its own mean shape onto that shape, and
 * the two warped images are cross-dissolved with weights 1 - t and t. Step 0 is the first average,
 * step 1 the second. Frames come out as a strip (PNG) or an animation (GIF or WebP, by sharp),
 * going there and back so it loops smoothly.
 */
import sharp from 'sharp';
import { InvalidParameterError, integerInRange, numberInRange, oneOf, withDefaults } from '../validate';
import type { AverageGroup } from './average';
import { delaunay } from './delaunay';
import { gridImage } from './finish';
import type { FaceMesh } from './triangulate';
import type { RgbImage } from './types';
import { accumulateWarp, prepareWarp, toRgbImage } from './warp';

export interface MorphOptions {
  /** Frames from the first average to the second, both included (>= 2). */
  steps?: number;
}

export const MORPH_DEFAULTS: Required<MorphOptions> = { steps: 9 };

/** The morph's frames (RGB, the averages' size), the first average first. */
export function morphFrames(from: Pick<AverageGroup, 'average' | 'mesh'>, to: Pick<AverageGroup, 'average' | 'mesh'>, options?: MorphOptions): RgbImage[] {
  const o = withDefaults('morphFrames options', MORPH_DEFAULTS, options);
  const steps = integerInRange('steps', o.steps, 2, 200);
  const a = from.mesh;
  const b = to.mesh;
  if (a.points.length !== b.points.length || a.width !== b.width || a.height !== b.height) {
    throw new InvalidParameterError('to.mesh', `a mesh of ${a.points.length / 2} points on ${a.width}x${a.height} (as from.mesh)`, `${b.points.length / 2} points on ${b.width}x${b.height}`);
  }
  const { width, height } = a;
  const frames: RgbImage[] = [];
  for (let k = 0; k < steps; k++) {
    const t = k / (steps - 1);
    const points = Float32Array.from(a.points, (v, i) => (1 - t) * v + t * b.points[i]);
    const mesh: FaceMesh = { ...a, points, triangles: delaunay(points).triangles };
    const map = prepareWarp(mesh);
    const sumA = new Float64Array(width * height * 3);
    const sumB = new Float64Array(width * height * 3);
    accumulateWarp(map, from.average.data, width, height, a.points, sumA);
    accumulateWarp(map, to.average.data, width, height, b.points, sumB);
    const mixed = new Float32Array(sumA.length);
    for (let i = 0; i < mixed.length; i++) mixed[i] = (1 - t) * sumA[i] + t * sumB[i];
    frames.push(toRgbImage({ data: mixed, width, height, channels: 3 }));
  }
  return frames;
}

/** The frames side by side in one labelled row (PNG), each labelled with its step. */
export async function morphStrip(frames: readonly RgbImage[], labels: readonly [string, string], tileSize = 160): Promise<Buffer> {
  if (!Array.isArray(frames) || frames.length < 2) throw new InvalidParameterError('frames', 'at least 2 frames', frames);
  const n = frames.length;
  const tiles = frames.map((image, k) => ({
    image,
    label: k === 0 ? labels[0] : k === n - 1 ? labels[1] : `${Math.round((100 * k) / (n - 1))}%`,
  }));
  return gridImage(tiles, { columns: n, tileSize, fontSize: 13, labelHeight: 24, gap: 4, title: `${labels[0]} → ${labels[1]}` });
}

export interface AnimationOptions {
  format?: 'gif' | 'webp';
  /** Milliseconds per frame. */
  delay?: number;
  /** Upscale factor (Lanczos 3). */
  scale?: number;
}

export const ANIMATION_DEFAULTS: Required<AnimationOptions> = { format: 'gif', delay: 120, scale: 1 };

/** The frames as a looping animation (there and back), GIF or WebP. */
export async function morphAnimation(frames: readonly RgbImage[], options?: AnimationOptions): Promise<Buffer> {
  const o = withDefaults('morphAnimation options', ANIMATION_DEFAULTS, options);
  const format = oneOf('format', o.format, ['gif', 'webp'] as const);
  const delay = integerInRange('delay', o.delay, 10, 10000);
  const scale = numberInRange('scale', o.scale, 0.25, 8);
  if (!Array.isArray(frames) || frames.length < 2) throw new InvalidParameterError('frames', 'at least 2 frames', frames);
  const loop = [...frames, ...frames.slice(1, -1).reverse()];
  const pngs = await Promise.all(
    loop.map((f) => {
      const img = sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } });
      return (scale === 1 ? img : img.resize(Math.round(f.width * scale), Math.round(f.height * scale), { kernel: 'lanczos3' })).png().toBuffer();
    }),
  );
  const anim = sharp(pngs, { join: { animated: true } });
  return format === 'gif' ? anim.gif({ delay: loop.map(() => delay), loop: 0 }).toBuffer() : anim.webp({ delay: loop.map(() => delay), loop: 0, quality: 90 }).toBuffer();
}

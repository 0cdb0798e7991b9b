/**
 * Finishing and saving: averages upscaled for display with sharp's Lanczos kernel, lightly
 * sharpened, as PNG; a labelled grid; saveAverages() writing every file of a run.
 *
 * Sharpening. An average is soft: small misalignments between faces blur fine detail, and the
 * Lanczos upscale adds its own softness. A light unsharp mask (sharp's `sharpen`, applied after the
 * upscale) restores edges without halos: sigma 1 (at the upscaled size: about half a pixel of the
 * average), m1 = 0.5 (flat areas barely touched, so the smooth skin stays smooth and JPEG/averaging
 * noise is not amplified), m2 = 2 (edges: eyes, lips, brows). Chosen by looking at averages of
 * 256 px crops upscaled 2x: stronger settings (sigma 1.5, m1 1, m2 3) bring up JPEG and averaging
 * noise on the skin, weaker ones (sigma 0.7, m1 0.3, m2 1.5) are hard to tell from none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { InvalidParameterError, integerInRange, numberInRange, withDefaults } from '../validate';
import type { AverageGroup, AverageResult } from './average';
import type { RgbImage } from './types';
import { checkRgbImage } from './warp';

/** sharp's unsharp mask parameters. */
export interface SharpenOptions {
  /** Gaussian sigma of the mask, in pixels of the upscaled image. */
  sigma: number;
  /** Sharpening of flat areas. */
  m1: number;
  /** Sharpening of jagged areas (edges). */
  m2: number;
}

export interface PngOptions {
  /** Upscale factor for display (Lanczos 3); 1 keeps the size. */
  scale?: number;
  /** Unsharp mask after the upscale, or false for none. */
  sharpen?: SharpenOptions | false;
}

/** Defaults of averagePng() (see the module comment for the sharpening values). */
export const PNG_DEFAULTS: Required<PngOptions> = {
  scale: 2,
  sharpen: { sigma: 1, m1: 0.5, m2: 2 },
};

/** An average as a display PNG: upscaled with Lanczos 3 by `scale`, lightly sharpened. */
export async function averagePng(image: RgbImage, options?: PngOptions): Promise<Buffer> {
  const o = withDefaults('averagePng options', PNG_DEFAULTS, options);
  checkRgbImage('image', image);
  const scale = numberInRange('scale', o.scale, 0.1, 16);
  let img = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (scale !== 1) {
    img = img.resize(Math.round(image.width * scale), Math.round(image.height * scale), { kernel: 'lanczos3' });
  }
  if (o.sharpen) {
    const { sigma, m1, m2 } = o.sharpen;
    img = img.sharpen({
      sigma: numberInRange('sharpen.sigma', sigma, 0.000001, 10),
      m1: numberInRange('sharpen.m1', m1, 0, 1000000),
      m2: numberInRange('sharpen.m2', m2, 0, 1000000),
    });
  }
  return img.png().toBuffer();
}

/**
 * Label of an average: "all · n=9000", "cluster 3 · n=812", or with a description
 * "0 · older men, neutral · n=812".
 */
export function averageLabel(group: number | null, count: number, description?: string | null): string {
  if (group === null) return `${description ? description : 'all'} · n=${count}`;
  return description ? `${group} · ${description} · n=${count}` : `cluster ${group} · n=${count}`;
}

/** One tile of a grid: an image (raw RGB or an encoded PNG/JPEG) and its label. */
export interface GridTile {
  image: RgbImage | Buffer;
  label: string;
}

export interface GridOptions {
  /** Tiles per row (default: about a square grid). */
  columns?: number | null;
  /** Side of a tile in pixels (default: the first tile's width). */
  tileSize?: number | null;
  /** Height of the label strip under each tile. */
  labelHeight?: number;
  /** Label font size in pixels. */
  fontSize?: number;
  /** Space between and around tiles. */
  gap?: number;
  /** Page colour (CSS colour). */
  background?: string;
  /** Label colour (CSS colour). */
  color?: string;
  /** Optional title line above the grid. */
  title?: string | null;
}

/** Defaults of gridImage(). */
export const GRID_DEFAULTS: Required<GridOptions> = {
  columns: null,
  tileSize: null,
  labelHeight: 30,
  fontSize: 16,
  gap: 10,
  background: '#ffffff',
  color: '#202020',
  title: null,
};

/** Escapes text for SVG. */
function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Any tile image as a PNG/JPEG buffer or a sharp input. */
function tileInput(image: RgbImage | Buffer): Sharp {
  if (Buffer.isBuffer(image)) return sharp(image);
  checkRgbImage('tiles[].image', image);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/**
 * A grid of labelled square tiles as a PNG (labels are SVG text rendered by sharp), e.g. the
 * cluster averages with labels like "0 · older men, neutral · n=812".
 */
export async function gridImage(tiles: readonly GridTile[], options?: GridOptions): Promise<Buffer> {
  const o = withDefaults('gridImage options', GRID_DEFAULTS, options);
  if (!Array.isArray(tiles) || tiles.length === 0) throw new InvalidParameterError('tiles', 'a non-empty array of { image, label }', tiles);
  const columns = integerInRange('columns', o.columns ?? Math.ceil(Math.sqrt(tiles.length)), 1, 100);
  const first = tiles[0].image;
  const side = integerInRange(
    'tileSize',
    o.tileSize ?? (Buffer.isBuffer(first) ? (await sharp(first).metadata()).width : first.width),
    8,
    4096,
  );
  const labelHeight = integerInRange('labelHeight', o.labelHeight, 0, 500);
  const gap = integerInRange('gap', o.gap, 0, 500);
  const fontSize = numberInRange('fontSize', o.fontSize, 1, 200);
  const titleHeight = o.title ? Math.round(fontSize * 2) : 0;
  const rows = Math.ceil(tiles.length / columns);
  const width = gap + columns * (side + gap);
  const height = titleHeight + gap + rows * (side + labelHeight + gap);
  const layers: OverlayOptions[] = [];
  const texts: string[] = [];
  for (let i = 0; i < tiles.length; i++) {
    const t = tiles[i];
    if (typeof t?.label !== 'string') throw new InvalidParameterError(`tiles[${i}].label`, 'string', t?.label);
    const left = gap + (i % columns) * (side + gap);
    const top = titleHeight + gap + Math.floor(i / columns) * (side + labelHeight + gap);
    const input = await tileInput(t.image).resize(side, side, { kernel: 'lanczos3', fit: 'contain', background: o.background }).png().toBuffer();
    layers.push({ input, left, top });
    texts.push(
      `<text x="${left + side / 2}" y="${top + side + labelHeight / 2 + fontSize * 0.35}" text-anchor="middle">${xml(t.label)}</text>`,
    );
  }
  if (o.title) {
    texts.push(`<text x="${width / 2}" y="${titleHeight * 0.7}" text-anchor="middle" font-weight="bold">${xml(o.title)}</text>`);
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="${xml(o.color)}">${texts.join('')}</g></svg>`;
  layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  return sharp({ create: { width, height, channels: 3, background: o.background } })
    .composite(layers)
    .png()
    .toBuffer();
}

export interface SaveAveragesOptions extends PngOptions {
  /** Descriptions of the groups for the grid labels (index = group), e.g. "older men, neutral". */
  labels?: readonly (string | null | undefined)[] | null;
  /** Grid columns (default: about square). */
  columns?: number | null;
}

/** Defaults of saveAverages(). */
export const SAVE_DEFAULTS: Required<SaveAveragesOptions> = {
  ...PNG_DEFAULTS,
  labels: null,
  columns: null,
};

/**
 * Writes a run's averages into `dir` (created if needed) as display PNGs (upscaled and sharpened
 * per averagePng()): `global.png`, `cluster-<n>.png`, `pixel-mean-global.png`,
 * `pixel-mean-cluster-<n>.png`, and the labelled grids `grid.png` (warped averages, global first)
 * and `grid-pixel-mean.png`. Returns the paths written.
 */
export async function saveAverages(result: AverageResult, dir: string, options?: SaveAveragesOptions): Promise<string[]> {
  const o = withDefaults('saveAverages options', SAVE_DEFAULTS, options);
  if (!result || typeof result !== 'object' || !result.global || !Array.isArray(result.groups)) {
    throw new InvalidParameterError('result', 'an averageFaces() result', result);
  }
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidParameterError('dir', 'non-empty string', dir);
  if (o.labels !== null && !Array.isArray(o.labels)) throw new InvalidParameterError('labels', 'an array of strings or null', o.labels);
  fs.mkdirSync(dir, { recursive: true });
  const png: PngOptions = { scale: o.scale, sharpen: o.sharpen };
  const written: string[] = [];
  const write = async (name: string, buffer: Buffer) => {
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, buffer);
    written.push(file);
  };
  const entries: { name: string; g: AverageGroup }[] = [
    { name: 'global', g: result.global },
    ...result.groups.map((g, i) => ({ name: `cluster-${i}`, g })),
  ];
  const tiles: GridTile[] = [];
  const pixelTiles: GridTile[] = [];
  for (const { name, g } of entries) {
    const label = averageLabel(g.group, g.count, g.group === null ? null : o.labels?.[g.group] ?? null);
    const buffer = await averagePng(g.average, png);
    await write(`${name}.png`, buffer);
    tiles.push({ image: buffer, label });
    if (g.pixelMean) {
      const pm = await averagePng(g.pixelMean, png);
      await write(`pixel-mean-${name}.png`, pm);
      pixelTiles.push({ image: pm, label });
    }
  }
  await write('grid.png', await gridImage(tiles, { columns: o.columns, title: 'Average faces (warped to the mean shape)' }));
  if (pixelTiles.length > 0) {
    await write('grid-pixel-mean.png', await gridImage(pixelTiles, { columns: o.columns, title: 'Pixel means of the eye-aligned crops (no warp)' }));
  }
  return written;
}

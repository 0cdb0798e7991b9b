/**
 * Image grids: contact sheets of faces with captions, as PNG buffers (sharp composites with SVG
 * text). Library code returns the buffers; notebooks and the report show them.
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import { integerInRange } from '../validate';
import { escapeHtml } from '../io/text';

export interface SheetTile {
  /** An image file, an encoded image buffer, or null for a placeholder (a photo that could not be read). */
  image: string | Buffer | null;
  /** Caption under the tile (one or two short lines, '\n' separated). */
  caption?: string;
  /** Optional colour bar above the caption (a cluster colour). */
  color?: string;
}

export interface SheetOptions {
  columns: number;
  /** Tile side in pixels (images are fitted into a square). */
  tile: number;
  /** Caption font size in pixels; 0 for no captions. */
  fontSize: number;
  /** Title above the grid. */
  title: string;
  background: string;
}

export const SHEET_DEFAULTS: SheetOptions = { columns: 8, tile: 128, fontSize: 11, title: '', background: '#ffffff' };

/** XML escaping for SVG text (the same as HTML escaping). */
export const escapeXml = escapeHtml;

function placeholder(side: number, text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="100%" height="100%" fill="#eeeeee"/>` +
    `<text x="50%" y="50%" font-family="sans-serif" font-size="${Math.max(9, side / 10)}" fill="#888" text-anchor="middle">${escapeXml(text)}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function tileImage(t: SheetTile, side: number): Promise<Buffer> {
  if (t.image === null) return placeholder(side, 'unreadable');
  try {
    if (typeof t.image === 'string' && !fs.existsSync(t.image)) return placeholder(side, 'missing');
    return await sharp(t.image, { limitInputPixels: 200e6, pages: 1 })
      .rotate()
      .resize(side, side, { fit: 'contain', background: '#f4f4f4', kernel: 'lanczos3' })
      .flatten({ background: '#f4f4f4' })
      .png()
      .toBuffer();
  } catch {
    return placeholder(side, 'not an image');
  }
}

/** Splits a caption into at most two lines that fit the tile. */
function captionLines(caption: string, side: number, fontSize: number): string[] {
  const maxChars = Math.max(6, Math.floor(side / (fontSize * 0.55)));
  const lines = caption.split('\n').slice(0, 2).map((l) => (l.length > maxChars ? l.slice(0, maxChars - 1) + '…' : l));
  return lines;
}

/** A grid of tiles with captions, as a PNG buffer. */
export async function contactSheet(tiles: SheetTile[], options: Partial<SheetOptions> = {}): Promise<Buffer> {
  const o = { ...SHEET_DEFAULTS, ...options };
  integerInRange('columns', o.columns, 1, 100);
  integerInRange('tile', o.tile, 16, 2048);
  const cols = Math.max(1, Math.min(o.columns, tiles.length || 1));
  const rows = Math.max(1, Math.ceil(tiles.length / cols));
  const lines = o.fontSize > 0 ? Math.max(0, ...tiles.map((t) => (t.caption ? captionLines(t.caption, o.tile, o.fontSize).length : 0))) : 0;
  const capH = lines ? Math.ceil(lines * o.fontSize * 1.3 + 6) : 0;
  const barH = tiles.some((t) => t.color) ? 4 : 0;
  const gap = 4;
  const titleH = o.title ? Math.round(o.fontSize * 2.2) : 0;
  const cellH = o.tile + barH + capH;
  const width = cols * o.tile + (cols + 1) * gap;
  const height = titleH + rows * cellH + (rows + 1) * gap;
  const composites: { input: Buffer; left: number; top: number }[] = [];
  const images = await Promise.all(tiles.map((t) => tileImage(t, o.tile)));
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`;
  if (o.title) svg += `<text x="${gap}" y="${Math.round(titleH * 0.7)}" font-family="sans-serif" font-size="${Math.round(o.fontSize * 1.3)}" font-weight="bold" fill="#222">${escapeXml(o.title)}</text>`;
  tiles.forEach((t, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const left = gap + c * (o.tile + gap);
    const top = titleH + gap + r * (cellH + gap);
    composites.push({ input: images[i], left, top });
    if (t.color) svg += `<rect x="${left}" y="${top + o.tile}" width="${o.tile}" height="${barH}" fill="${escapeXml(t.color)}"/>`;
    if (t.caption && lines) {
      captionLines(t.caption, o.tile, o.fontSize).forEach((line, j) => {
        svg += `<text x="${left + o.tile / 2}" y="${top + o.tile + barH + o.fontSize * (1.15 + 1.3 * j)}" font-family="sans-serif" font-size="${o.fontSize}" fill="#333" text-anchor="middle">${escapeXml(line)}</text>`;
      });
    }
  });
  svg += '</svg>';
  composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  return sharp({ create: { width, height, channels: 3, background: o.background } }).composite(composites).png().toBuffer();
}

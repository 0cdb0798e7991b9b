/**
 * Notebook helpers: pictures of shapes, meshes and warps as PNG buffers (no display calls; a
 * notebook shows them). Lines and points are an SVG overlay rendered by sharp on the image
 * upscaled by `scale` (Lanczos 3), so they stay thin and crisp.
 */
import sharp from 'sharp';
import { InvalidParameterError, numberInRange, withDefaults } from '../validate';
import { decodeRgb } from './accumulate';
import type { FaceMesh } from './triangulate';
import type { FaceInput, RgbImage } from './types';
import { checkRgbImage, toRgbImage, warpImage } from './warp';

/** Reads an image (a path, an encoded PNG/JPEG buffer, or raw RGB) as raw RGB. */
export async function readRgb(source: string | Buffer | RgbImage): Promise<RgbImage> {
  if (Buffer.isBuffer(source)) {
    const { data, info } = await sharp(source).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  }
  if (typeof source !== 'string') return checkRgbImage('image', source);
  const r = await decodeRgb(source);
  if (typeof r === 'string') throw new InvalidParameterError('image', 'a readable image file', source);
  return r;
}

export interface DrawOptions {
  /** Upscale factor of the picture. */
  scale?: number;
  /** Triangles to draw (indices into the points); default: the mesh's when a mesh is given. */
  triangles?: Uint32Array | null;
  /** Radius of the landmark dots, in picture pixels (0: no dots). */
  pointRadius?: number;
  /** Landmark dot colour. */
  pointColor?: string;
  /** Colour of the ring and frame points of a mesh. */
  extraColor?: string;
  /** Triangle edge colour. */
  lineColor?: string;
  /** Triangle edge width, in picture pixels. */
  lineWidth?: number;
  /** Caption drawn in the top-left corner. */
  label?: string | null;
}

/** Defaults of drawShape() and drawMesh(). */
export const DRAW_DEFAULTS: Required<DrawOptions> = {
  scale: 2,
  triangles: null,
  pointRadius: 1.6,
  pointColor: '#ff3b30',
  extraColor: '#ffcc00',
  lineColor: '#00d8ff',
  lineWidth: 0.7,
  label: null,
};

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function isMesh(x: unknown): x is FaceMesh {
  return !!x && typeof x === 'object' && 'triangles' in x && 'landmarkCount' in x && 'points' in x;
}

/** SVG elements of a shape: triangle edges (each once), then dots. */
function shapeSvg(points: ArrayLike<number>, landmarkCount: number, triangles: Uint32Array | null, s: number, o: Required<DrawOptions>): string {
  const parts: string[] = [];
  if (triangles) {
    const seen = new Set<number>();
    const n = points.length / 2;
    let d = '';
    for (let k = 0; k < triangles.length; k += 3) {
      for (let e = 0; e < 3; e++) {
        const a = triangles[k + e];
        const b = triangles[k + ((e + 1) % 3)];
        if (a >= n || b >= n) throw new InvalidParameterError('triangles', `indices < ${n} (the number of points)`, Math.max(a, b));
        const key = Math.min(a, b) * n + Math.max(a, b);
        if (seen.has(key)) continue;
        seen.add(key);
        d += `M${((points[2 * a] + 0.5) * s).toFixed(1)} ${((points[2 * a + 1] + 0.5) * s).toFixed(1)}L${((points[2 * b] + 0.5) * s).toFixed(1)} ${((points[2 * b + 1] + 0.5) * s).toFixed(1)}`;
      }
    }
    parts.push(`<path d="${d}" stroke="${xml(o.lineColor)}" stroke-width="${o.lineWidth}" fill="none" stroke-opacity="0.85"/>`);
  }
  if (o.pointRadius > 0) {
    for (let i = 0; i < points.length / 2; i++) {
      const colour = i < landmarkCount ? o.pointColor : o.extraColor;
      parts.push(
        `<circle cx="${((points[2 * i] + 0.5) * s).toFixed(1)}" cy="${((points[2 * i + 1] + 0.5) * s).toFixed(1)}" r="${o.pointRadius}" fill="${xml(colour)}"/>`,
      );
    }
  }
  return parts.join('');
}

/** A caption in the top-left corner, outlined so it reads on any image. */
function labelSvg(label: string | null, fill = '#ffffff', outline = '#000000', fontSize = 14): string {
  if (!label) return '';
  return (
    `<text x="6" y="${fontSize + 4}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="${fill}" ` +
    `stroke="${outline}" stroke-width="3" paint-order="stroke">${xml(label)}</text>`
  );
}

/** Upscales an image and draws an SVG layer over it; returns a PNG. */
async function overlay(image: RgbImage, scale: number, body: string): Promise<Buffer> {
  const w = Math.round(image.width * scale);
  const h = Math.round(image.height * scale);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`;
  const base = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(w, h, { kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return sharp(base).composite([{ input: Buffer.from(svg), left: 0, top: 0 }]).png().toBuffer();
}

/**
 * A shape drawn over a face: landmark dots and triangle edges, e.g. a group's mean shape over its
 * average (`drawShape(g.average, g.mesh)`) or a face's landmarks over its crop. `shape` is a point
 * array (x0, y0, ...) in the image's pixels, or a mesh (its points and triangles; ring and frame
 * points in `extraColor`).
 */
export async function drawShape(
  image: string | Buffer | RgbImage,
  shape: ArrayLike<number> | FaceMesh,
  options?: DrawOptions,
): Promise<Buffer> {
  const o = withDefaults('drawShape options', DRAW_DEFAULTS, options);
  const scale = numberInRange('scale', o.scale, 0.1, 16);
  const img = await readRgb(image);
  const points = isMesh(shape) ? shape.points : shape;
  if (!points || typeof points.length !== 'number' || points.length % 2 !== 0) {
    throw new InvalidParameterError('shape', 'x, y coordinates or a mesh', shape);
  }
  const landmarks = isMesh(shape) ? shape.landmarkCount : points.length / 2;
  const triangles = o.triangles ?? (isMesh(shape) ? shape.triangles : null);
  return overlay(img, scale, shapeSvg(points, landmarks, triangles, scale, o) + labelSvg(o.label));
}

/** The triangulation of a mesh alone, on a plain background (CSS colour). */
export async function drawMesh(mesh: FaceMesh, options?: DrawOptions & { background?: string }): Promise<Buffer> {
  const { background = '#ffffff', ...rest } = options ?? {};
  const o = withDefaults('drawMesh options', DRAW_DEFAULTS, rest);
  if (!isMesh(mesh)) throw new InvalidParameterError('mesh', 'a mesh from triangulate()', mesh);
  const scale = numberInRange('scale', o.scale, 0.1, 16);
  const w = Math.round(mesh.width * scale);
  const h = Math.round(mesh.height * scale);
  const lineColor = options?.lineColor ?? '#3060a0';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="${xml(background)}"/>` +
    shapeSvg(mesh.points, mesh.landmarkCount, mesh.triangles, scale, { ...o, lineColor }) +
    labelSvg(o.label, '#000000', '#ffffff') +
    '</svg>';
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * One face before and after warping onto a target mesh, side by side: the crop with its landmarks,
 * and the warped face with the target's landmarks and triangles.
 */
export async function warpComparison(face: FaceInput, target: FaceMesh, options?: DrawOptions): Promise<Buffer> {
  const o = withDefaults('warpComparison options', DRAW_DEFAULTS, options);
  const scale = numberInRange('scale', o.scale, 0.1, 16);
  if (!face || typeof face !== 'object') throw new InvalidParameterError('face', 'a FaceInput { image, points }', face);
  if (!isMesh(target)) throw new InvalidParameterError('target', 'a mesh from triangulate()', target);
  const img = await readRgb(face.image);
  const warped = toRgbImage(warpImage(img, face.points, target));
  const before = await overlay(img, scale, shapeSvg(face.points, face.points.length / 2, null, scale, o) + labelSvg('before'));
  const after = await overlay(
    warped,
    scale,
    shapeSvg(target.points, target.landmarkCount, target.triangles, scale, o) + labelSvg('after: warped to the target'),
  );
  const w1 = Math.round(img.width * scale);
  const h1 = Math.round(img.height * scale);
  const w2 = Math.round(warped.width * scale);
  const h2 = Math.round(warped.height * scale);
  const gap = 8;
  return sharp({ create: { width: w1 + gap + w2, height: Math.max(h1, h2), channels: 3, background: '#ffffff' } })
    .composite([
      { input: before, left: 0, top: 0 },
      { input: after, left: w1 + gap, top: 0 },
    ])
    .png()
    .toBuffer();
}

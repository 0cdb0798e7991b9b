/**
 * Photo decoding with sharp, normalised to 8-bit sRGB with 3 channels: EXIF orientation applied,
 * CMYK and grayscale converted, alpha flattened on grey, 16-bit reduced, animated images reduced
 * to their first frame, large photos reduced to a working size. Every normalisation is noted; a
 * file that cannot be used gets one specific reason instead of an exception. BMP, which libvips
 * does not read, goes through the bmp-ts decoder first.
 */
import * as fs from 'node:fs/promises';
import { decode as decodeBmpFile } from 'bmp-ts';
import sharp from 'sharp';
import type { RgbImage } from './align';

export interface DecodeOptions {
  /** Longest side of the working image (larger photos are reduced with shrink-on-load). */
  maxSide: number;
  /** Smallest accepted photo side, in pixels. */
  minSide: number;
  /** Largest accepted photo, in megapixels (decoding more costs too much memory). */
  maxMegapixels: number;
}

export const DECODE_DEFAULTS: DecodeOptions = {
  maxSide: 1600,
  minSide: 32,
  maxMegapixels: 100,
};

export interface PhotoInfo {
  /** Size as displayed (after EXIF orientation). */
  width: number;
  height: number;
  bytes: number;
  format: string;
  /** Colour space as stored: srgb, cmyk, b-w, ... */
  space: string;
  channels: number;
  /** Bit depth as stored: uchar (8), ushort (16), ... */
  depth: string;
  hasAlpha: boolean;
  /** Frames (animated GIF/WebP); 1 for still images. */
  pages: number;
  /** EXIF orientation 1..8 (1 = as stored). */
  orientation: number;
}

export interface DecodedPhoto {
  ok: true;
  image: RgbImage;
  info: PhotoInfo;
  /** Working image pixels per original pixel (<= 1). */
  scale: number;
  /** Normalisations applied, for the manifest. */
  notes: string[];
}

export interface DecodeFailure {
  ok: false;
  reason: string;
  info: Partial<PhotoInfo>;
}

function failure(reason: string, info: Partial<PhotoInfo> = {}): DecodeFailure {
  return { ok: false, reason, info };
}

/** libvips lines that say nothing about the file (the real cause is on another line). */
const GENERIC_DECODER_LINES = [/warning treated as error/i, /^vips2?\w*: ?$/i];

/**
 * sharp/libvips's whole message as one line: every distinct line kept, generic ones
 * ('Warning treated as error due to failOn setting') dropped unless nothing else is left.
 */
export function decoderMessage(message: string, format?: string | null): string {
  const lines = [...new Set(message.split('\n').map((l) => l.trim().replace(/:$/, '')).filter(Boolean))]
    .filter((l) => !format || !otherLoader(l, format));
  const specific = lines.filter((l) => !GENERIC_DECODER_LINES.some((g) => g.test(l)));
  const text = (specific.length ? specific : lines).join('; ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The loaders' names in libvips's messages ('VipsJpeg: ...', 'vipspng: ...', 'webp: ...'). */
const LOADER_NAMES: Record<string, RegExp> = { jpeg: /jpeg/i, png: /png/i, webp: /webp/i, tiff: /tiff/i, gif: /gif/i, heif: /heif|heic|avif/i };

/** True for a line of another format's loader: libvips's error buffer is shared by its threads. */
function otherLoader(line: string, format: string): boolean {
  if (LOADER_NAMES[format]?.test(line)) return false;
  return Object.entries(LOADER_NAMES).some(([f, re]) => f !== format && re.test(line));
}

/** The format a file's first bytes announce (null when none of the common ones). */
export function sniffFormat(buf: Buffer): string | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (buf.length >= 4 && (buf.readUInt32BE(0) === 0x49492a00 || buf.readUInt32BE(0) === 0x4d4d002a)) return 'tiff';
  return null;
}

/**
 * Maps a sharp/libvips error message to a specific reason that keeps the decoder's own words
 * (with the file's `format`, lines of other loaders, left by concurrent decodes, are dropped).
 */
export function decodeErrorReason(message: string, format?: string | null): string {
  const m = message.toLowerCase();
  if (m.includes('unsupported image format') || m.includes('input buffer contains unsupported')) return 'not an image (unrecognised format)';
  const full = decoderMessage(message, format);
  if (m.includes('premature end') || m.includes('truncated') || m.includes('unexpected end') || m.includes('read error') || m.includes('corrupt') || m.includes('not a jpeg') || m.includes('bad') || m.includes('bogus') || m.includes('invalid')) {
    return `truncated or corrupt image (${full})`;
  }
  return `cannot decode image (${full})`;
}

/** Decodes a photo file for detection. Never throws for a bad file: returns a failure reason. */
export async function decodePhoto(file: string, options: Partial<DecodeOptions> = {}): Promise<DecodedPhoto | DecodeFailure> {
  const opts = { ...DECODE_DEFAULTS, ...options };
  let buf: Buffer;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) return failure('not a file (a directory)');
    if (!st.isFile()) return failure('not a regular file');
    if (st.size === 0) return failure('empty file (0 bytes)', { bytes: 0 });
    buf = await fs.readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return failure('unreadable: file missing or a broken link (ENOENT)');
    return failure(`unreadable: ${err.code ?? ''} ${err.message}`.trim());
  }
  return decodeBuffer(buf, opts);
}

/** True for a Windows bitmap ('BM' signature and a plausible header). */
export function isBmp(buf: Buffer): boolean {
  return buf.length >= 18 && buf[0] === 0x42 && buf[1] === 0x4d && [12, 40, 52, 56, 64, 108, 124].includes(buf.readUInt32LE(14));
}

/**
 * A BMP file as a lossless PNG sharp can read, with its bit depth; or a failure reason. 32-bit
 * BMPs whose alpha is all zero (the common 'unused' byte) are taken as opaque.
 */
export async function bmpToPng(buf: Buffer): Promise<{ png: Buffer; bitsPerPixel: number } | { reason: string }> {
  let bmp: ReturnType<typeof decodeBmpFile>;
  try {
    const declared = buf.readUInt32LE(2);
    if (declared > buf.length && declared < 1 << 30) return { reason: `truncated or corrupt image (BMP: ${buf.length} of ${declared} bytes)` };
    bmp = decodeBmpFile(buf, { toRGBA: true });
  } catch (e) {
    return { reason: `truncated or corrupt image (BMP: ${decoderMessage((e as Error).message)})` };
  }
  const { width, height } = bmp;
  const pixels = Buffer.from(bmp.data.buffer, bmp.data.byteOffset, bmp.data.length);
  if (!width || !height || pixels.length < width * height * 4) return { reason: 'truncated or corrupt image (BMP: no pixel data)' };
  let alphaUsed = false;
  if (bmp.bitPP === 32) for (let i = 3; i < width * height * 4 && !alphaUsed; i += 4) alphaUsed = pixels[i] !== 0;
  let image = sharp(pixels.subarray(0, width * height * 4), { raw: { width, height, channels: 4 } });
  if (!alphaUsed) image = image.removeAlpha();
  const png = await image.png({ compressionLevel: 0 }).toBuffer();
  return { png, bitsPerPixel: bmp.bitPP };
}

/** True when sharp's message holds only generic lines (the specific one was lost). */
function onlyGeneric(message: string, format: string | null): boolean {
  const lines = message.split('\n').map((l) => l.trim().replace(/:$/, '')).filter((l) => l && !otherLoader(l, format ?? ''));
  return lines.every((l) => GENERIC_DECODER_LINES.some((g) => g.test(l)));
}

/** A decoding failure with the decoder's own words for a file of `format`. */
function decodeFailure(e: unknown, format: string | null, info: Partial<PhotoInfo>): DecodeFailure & { generic: boolean } {
  const message = (e as Error).message;
  return { ...failure(decodeErrorReason(message, format), info), generic: onlyGeneric(message, format) };
}

let serial: Promise<unknown> = Promise.resolve();

/**
 * Decodes an in-memory file (see decodePhoto). libvips keeps one error buffer for all its threads,
 * so when several photos decode at once a failure can reach us as the bare 'Warning treated as
 * error due to failOn setting': such a failure is decoded again, alone, for the decoder's own
 * words (`VipsJpeg: premature end of JPEG image`).
 */
export async function decodeBuffer(file: Buffer, options: Partial<DecodeOptions> = {}): Promise<DecodedPhoto | DecodeFailure> {
  let r = await decodeOnce(file, options);
  for (let attempt = 0; attempt < 3 && !r.ok && r.generic; attempt++) {
    const again = serial.then(() => decodeOnce(file, options));
    serial = again.catch(() => undefined);
    r = await again;
  }
  return strip(r);
}

function strip(r: DecodedPhoto | (DecodeFailure & { generic?: boolean })): DecodedPhoto | DecodeFailure {
  if (!r.ok) delete r.generic;
  return r;
}

async function decodeOnce(file: Buffer, options: Partial<DecodeOptions>): Promise<DecodedPhoto | (DecodeFailure & { generic?: boolean })> {
  const opts = { ...DECODE_DEFAULTS, ...options };
  let buf = file;
  let bmpBits = 0;
  if (isBmp(file)) {
    const r = await bmpToPng(file);
    if ('reason' in r) return failure(r.reason, { bytes: file.length, format: 'bmp' });
    buf = r.png;
    bmpBits = r.bitsPerPixel;
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (e) {
    return decodeFailure(e, sniffFormat(buf), { bytes: file.length });
  }
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const storedW = meta.width ?? 0;
  const storedH = meta.pageHeight && (meta.pages ?? 1) > 1 ? meta.pageHeight : meta.height ?? 0;
  const width = swap ? storedH : storedW;
  const height = swap ? storedW : storedH;
  const info: PhotoInfo = {
    width,
    height,
    bytes: file.length,
    format: bmpBits ? 'bmp' : meta.format ?? 'unknown',
    space: meta.space ?? 'unknown',
    channels: meta.channels ?? 0,
    depth: meta.depth ?? 'unknown',
    hasAlpha: Boolean(meta.hasAlpha),
    pages: meta.pages ?? 1,
    orientation,
  };
  if (!width || !height) return failure('not an image (no dimensions)', info);
  if (Math.min(width, height) < opts.minSide) {
    return failure(`too small (${width}x${height} px; minimum side ${opts.minSide} px)`, info);
  }
  const mp = (width * height) / 1e6;
  if (mp > opts.maxMegapixels) {
    return failure(`too large (${width}x${height} px = ${mp.toFixed(0)} MP; limit ${opts.maxMegapixels} MP)`, info);
  }
  const notes: string[] = [];
  if (bmpBits) notes.push(`BMP (${bmpBits}-bit) decoded with bmp-ts`);
  if (orientation !== 1) notes.push(`EXIF orientation ${orientation} applied`);
  if (info.space === 'cmyk') notes.push('CMYK converted to sRGB');
  if (info.space === 'b-w' || info.channels === 1 || (info.channels === 2 && info.hasAlpha)) notes.push('grayscale expanded to RGB');
  if (info.hasAlpha) notes.push('alpha flattened on grey');
  if (info.depth !== 'uchar' && info.depth !== 'unknown') notes.push(`${info.depth === 'ushort' ? '16-bit' : info.depth} reduced to 8-bit`);
  if (info.pages > 1) notes.push(`animated or multi-page (${info.pages} frames): first frame used`);
  const scale = Math.min(1, opts.maxSide / Math.max(width, height));
  if (scale < 1) notes.push(`reduced to ${Math.round(width * scale)}x${Math.round(height * scale)} for detection`);
  try {
    let pipeline = sharp(buf, { limitInputPixels: false, page: 0, pages: 1 }).rotate();
    if (scale < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), fit: 'fill', kernel: 'lanczos3' });
    if (info.hasAlpha) pipeline = pipeline.flatten({ background: { r: 128, g: 128, b: 128 } });
    const { data, info: out } = await pipeline.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    let pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
    let channels = out.channels;
    if (channels === 1) {
      const rgb = new Uint8Array(out.width * out.height * 3);
      for (let i = 0, j = 0; i < pixels.length; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = pixels[i];
      pixels = rgb;
      channels = 3;
    }
    if (channels !== 3) return failure(`unexpected channel count after decoding (${channels})`, info);
    return { ok: true, image: { data: pixels, width: out.width, height: out.height, channels: 3 }, info, scale: out.width / width, notes };
  } catch (e) {
    return decodeFailure(e, sniffFormat(buf), info);
  }
}

/**
 * A folder of nasty inputs for the preparation's integration test: files that are not images or
 * are broken, images at the edges of what decoders handle, and real faces in awkward encodings
 * (cut from the face-api demo photos, so a detector has something to find).
 *
 *   const cases = await makeBadInputFolder(dir);
 *   // cases: [{ id: 'empty.jpg', description: 'zero-byte file named .jpg', expect: 'skip', listed: true }, ...]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export interface BadInput {
  /** Path relative to the folder with '/' separators: the folder source's item id. */
  id: string;
  /** Short description of the case. */
  description: string;
  /**
   * What a robust preparation should do with it:
   * 'skip': no usable image, a recorded skip reason (never a crash);
   * 'no-face': decodes (or is refused as too large) but holds no face;
   * 'face': a real face that should be found (possibly only after EXIF rotation or colour conversion);
   * 'any': either a skip or a partial decode is fine, as long as nothing crashes.
   */
  expect: 'skip' | 'no-face' | 'face' | 'any';
  /** False for entries folderSource() does not list as a photo (a folder named like a photo). */
  listed: boolean;
  /**
   * The reason expected for a 'skip' (or refused 'no-face'): the listing's pre-reject reason, else
   * decodePhoto()'s failure reason. Absent when the file must decode.
   */
  reason?: RegExp;
}

/** Regions of sample1.jpg (1920x1280) holding one face each, with margin. */
export const DEMO_FACES = {
  /** The woman on the left (frontal, clown make-up). */
  left: { left: 340, top: 230, width: 400, height: 440 },
  /** The woman in the middle (looking down). */
  middle: { left: 760, top: 330, width: 380, height: 420 },
  /** The woman on the right (smiling, head tilted). */
  right: { left: 1400, top: 140, width: 400, height: 420 },
} as const;

function demoPhoto(name = 'sample1.jpg'): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', name);
}

/** A JPEG/PNG-ready sharp pipeline of one demo face. */
function face(which: keyof typeof DEMO_FACES): ReturnType<typeof sharp> {
  return sharp(demoPhoto()).extract(DEMO_FACES[which]);
}

/**
 * Writes the nasty inputs into `dir` (created if needed; existing files with the same names are
 * replaced) and returns one description per entry, sorted by id. `special: true` adds a FIFO, a
 * symlink loop and a file name that is not UTF-8 (a naive folder walk blocks or fails on them).
 */
export async function makeBadInputFolder(dir: string, options: { special?: boolean } = {}): Promise<BadInput[]> {
  fs.mkdirSync(dir, { recursive: true });
  const cases: BadInput[] = [];
  const add = (id: string, description: string, expect: BadInput['expect'], listed = true, reason?: RegExp): string => {
    cases.push({ id, description, expect, listed, ...(reason ? { reason } : {}) });
    const file = path.join(dir, ...id.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.rmSync(file, { force: true, recursive: true });
    return file;
  };

  const leftJpeg = await face('left').jpeg({ quality: 90 }).toBuffer();

  // Not images, or broken ones.
  fs.writeFileSync(add('empty.jpg', 'zero-byte file named .jpg', 'skip', true, /^empty file \(0 bytes\)$/), Buffer.alloc(0));
  fs.writeFileSync(add('truncated.jpg', 'JPEG of a face cut at 40% of its bytes', 'skip', true, /^truncated or corrupt image \(VipsJpeg: premature end of JPEG image\)$/), leftJpeg.subarray(0, Math.floor(leftJpeg.length * 0.4)));
  fs.writeFileSync(add('text-named.jpg', 'text file named .jpg', 'skip', true, /^not an image \(unrecognised format\)$/), 'This is not a JPEG.\n');
  fs.writeFileSync(add('notes.txt', 'plain .txt file (not an image extension)', 'skip', true, /^not an image file \(\.txt\)$/), 'notes\n');
  fs.symlinkSync('does-not-exist.jpg', add('broken-link.jpg', 'unreadable: symlink to a missing file', 'skip', true, /^broken symlink \(target missing\)$/));
  fs.mkdirSync(add('folder.jpg', 'unreadable as a file: a directory named like a photo (not listed; empty)', 'skip', false));

  // Images at the edges.
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toFile(add('tiny-1x1.png', '1x1 PNG', 'no-face', true, /^too small \(1x1 px; minimum side 32 px\)$/));
  await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#3a7bd5' } })
    .png({ compressionLevel: 9 })
    .toFile(add('huge-12000x12000.png', '12000x12000 flat-colour PNG (144 Mpixel; small file); refusing it as too large is fine', 'no-face', true, /^too large \(12000x12000 px = 144 MP; limit 100 MP\)$/));

  // Faces in awkward encodings.
  const frameW = 300;
  const frameH = 330;
  const base = await face('left').resize(frameW, frameH).removeAlpha().raw().toBuffer();
  const frames = [0, 1, 2, 3].map((k) => {
    const f = Buffer.from(base);
    for (let i = 0; i < f.length; i += 3) f[i] = Math.min(255, f[i] + k * 30); // a red shift per frame
    return f;
  });
  await sharp(Buffer.concat(frames), { raw: { width: frameW, height: frameH * frames.length, channels: 3, pageHeight: frameH } })
    .gif({ delay: 200, loop: 0 })
    .toFile(add('animated.gif', 'animated GIF, 4 frames of a face with a colour shift', 'face'));

  const rightPng = await face('right').png().toBuffer();
  const { width: rw, height: rh } = DEMO_FACES.right;
  const mask = Buffer.from(
    `<svg width="${rw}" height="${rh}"><ellipse cx="${rw / 2}" cy="${rh / 2}" rx="${rw * 0.46}" ry="${rh * 0.48}" fill="#fff"/></svg>`,
  );
  await sharp(rightPng).ensureAlpha().composite([{ input: mask, blend: 'dest-in' }]).png().toFile(add('alpha.png', 'PNG with an alpha channel: a face in a transparent oval', 'face'));
  await face('right').toColourspace('rgb16').png().toFile(add('sixteen-bit.png', '16-bit-per-channel PNG of a face', 'face'));
  await face('left').toColourspace('cmyk').jpeg({ quality: 90 }).toFile(add('cmyk.jpg', 'CMYK JPEG of a face', 'face'));
  await face('middle').toColourspace('b-w').jpeg({ quality: 90 }).toFile(add('grayscale.jpg', 'grayscale (1-channel) JPEG of a face', 'face'));
  // Stored lying on its side (rotated 90 degrees counter-clockwise) with EXIF orientation 6
  // ("rotate 90 clockwise to display"): upright only for a reader that applies the orientation.
  await sharp(leftJpeg).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toFile(
    add('exif-rotated.jpg', 'JPEG of a face stored on its side with EXIF orientation 6: the face is upright only after rotation', 'face'),
  );

  // Odd names and nesting.
  fs.writeFileSync(add('Zoë Saldaña 😀 face.jpg', 'unicode file name (accents, emoji) and spaces', 'face'), leftJpeg);
  fs.writeFileSync(add('with space & #hash %20.jpg', 'file name with spaces, &, # and %', 'face'), await face('right').jpeg().toBuffer());
  fs.writeFileSync(add('nested/deeper/face.JPG', 'face in a nested subfolder, upper-case extension', 'face'), await face('middle').jpeg().toBuffer());

  // Hidden entries: listed with a reason, never read.
  fs.writeFileSync(add('.hidden.jpg', 'hidden file (name starts with a dot) holding a face', 'skip', true, /^hidden file \(name starts with '\.'; not read\)$/), leftJpeg);
  const hiddenDir = add('.thumbnails', 'hidden folder with a photo inside: listed once, not searched', 'skip', true, /^hidden folder \(name starts with '\.'; not searched\)$/);
  fs.mkdirSync(hiddenDir);
  fs.writeFileSync(path.join(hiddenDir, 'thumb.jpg'), leftJpeg);

  // Exact copies: the first by name is used, the other recorded as its duplicate.
  fs.writeFileSync(add('zz-copy of Zoë.jpg', 'byte-identical copy of another photo of the folder', 'skip', true, /^duplicate of Zoë Saldaña 😀 face\.jpg$/), leftJpeg);

  // More broken files, each with the decoder's own words.
  const leftPng = await face('left').png().toBuffer();
  fs.writeFileSync(add('truncated.png', 'PNG of a face cut at half of its bytes', 'skip', true, /^truncated or corrupt image \(vipspng: libpng read error\)$/), leftPng.subarray(0, leftPng.length >> 1));
  const leftWebp = await face('left').webp().toBuffer();
  fs.writeFileSync(add('truncated.webp', 'WebP of a face cut at half of its bytes', 'skip', true, /^truncated or corrupt image \(.*webp: unable to parse image\)$/), leftWebp.subarray(0, leftWebp.length >> 1));
  const corrupt = Buffer.from(leftJpeg);
  corrupt.set([0xff, 0xd0], Math.floor(leftJpeg.length / 2)); // a stray restart marker in the entropy-coded data
  fs.writeFileSync(add('corrupt-data.jpg', 'JPEG of a face with a stray restart marker in its compressed data', 'skip', true, /^truncated or corrupt image \(VipsJpeg: Corrupt JPEG data: premature end of data segment\)$/), corrupt);
  fs.writeFileSync(add('html-named.jpg', 'an HTML error page saved as .jpg (a failed download)', 'skip', true, /^not an image \(unrecognised format\)$/), '<!DOCTYPE html><html><body>404 Not Found</body></html>\n');
  fs.writeFileSync(add('header-only.png', 'PNG signature and nothing else', 'skip', true, /^truncated or corrupt image \(Input buffer has corrupt header\)$/), leftPng.subarray(0, 8));
  fs.writeFileSync(add('bomb-100000x100000.png', 'decompression bomb: a PNG header declaring 100000x100000 px in 80 bytes', 'no-face', true, /^too large \(100000x100000 px = 10000 MP; limit 100 MP\)$/), pngHeaderOnly(100000, 100000));

  // BMP (libvips cannot read it): decoded with bmp-ts, in two common variants; a cut one refused.
  const bmpFace = await face('middle').resize(200, 220).removeAlpha().raw().toBuffer();
  fs.writeFileSync(add('face-24bit.bmp', '24-bit BMP (BITMAPINFOHEADER, bottom-up) of a face', 'face'), encodeBmp24(bmpFace, 200, 220));
  fs.writeFileSync(add('face-8bit-gray.bmp', '8-bit palette (grayscale) BMP of a face', 'face'), encodeBmp8Gray(bmpFace, 200, 220));
  const bmpCut = encodeBmp24(bmpFace, 200, 220);
  fs.writeFileSync(add('truncated.bmp', '24-bit BMP cut at half of its bytes', 'skip', true, /^truncated or corrupt image \(BMP: \d+ of \d+ bytes\)$/), bmpCut.subarray(0, bmpCut.length >> 1));

  // A face in a format other than its name says, and in the other common formats.
  fs.writeFileSync(add('png-named.jpg', 'a PNG of a face named .jpg (the decoder sniffs the bytes)', 'face'), leftPng);
  await face('right').webp({ quality: 90 }).toFile(add('face.webp', 'WebP of a face', 'face'));
  await face('middle').tiff().toFile(add('face.tif', 'TIFF of a face', 'face'));

  // Special files and names (only on request: a FIFO blocks whoever reads the folder naively).
  if (options.special) addSpecialFiles(dir, add, leftJpeg, cases);

  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A PNG declaring width x height with only a few bytes of pixel data: a decompression bomb's header. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** BITMAPFILEHEADER + BITMAPINFOHEADER for a bottom-up BMP with `paletteBytes` of palette. */
function bmpHeaders(width: number, height: number, bitsPerPixel: number, rowBytes: number, paletteBytes: number): Buffer {
  const offset = 14 + 40 + paletteBytes; // the palette follows these 54 bytes
  const h = Buffer.alloc(14 + 40);
  h.write('BM', 0, 'ascii');
  h.writeUInt32LE(offset + rowBytes * height, 2);
  h.writeUInt32LE(offset, 10);
  h.writeUInt32LE(40, 14);
  h.writeInt32LE(width, 18);
  h.writeInt32LE(height, 22);
  h.writeUInt16LE(1, 26);
  h.writeUInt16LE(bitsPerPixel, 28);
  h.writeUInt32LE(rowBytes * height, 34);
  h.writeInt32LE(2835, 38);
  h.writeInt32LE(2835, 42);
  if (paletteBytes) h.writeUInt32LE(paletteBytes / 4, 46);
  return h;
}

/** A 24-bit BMP written by hand (rows bottom-up, BGR, padded to 4 bytes) from RGB pixels. */
export function encodeBmp24(rgb: Buffer, width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const pixels = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[row + x * 3] = rgb[i + 2];
      pixels[row + x * 3 + 1] = rgb[i + 1];
      pixels[row + x * 3 + 2] = rgb[i];
    }
  }
  return Buffer.concat([bmpHeaders(width, height, 24, rowBytes, 0), pixels]);
}

/** An 8-bit BMP with a 256-grey palette written by hand from RGB pixels (their luma). */
export function encodeBmp8Gray(rgb: Buffer, width: number, height: number): Buffer {
  const rowBytes = Math.ceil(width / 4) * 4;
  const palette = Buffer.alloc(256 * 4);
  for (let g = 0; g < 256; g++) palette.fill(g, g * 4, g * 4 + 3);
  const pixels = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[(height - 1 - y) * rowBytes + x] = Math.round(0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]);
    }
  }
  return Buffer.concat([bmpHeaders(width, height, 8, rowBytes, palette.length), palette, pixels]);
}

type Add = (id: string, description: string, expect: BadInput['expect'], listed?: boolean, reason?: RegExp) => string;

function addSpecialFiles(dir: string, add: Add, jpeg: Buffer, cases: BadInput[]): void {
  const fifo = add('pipe.jpg', 'a named pipe (FIFO) named like a photo: reading it would block', 'skip', true, /^not a regular file \(fifo\)$/);
  execFileSync('mkfifo', [fifo]);
  fs.symlinkSync('.', add('loop', 'symlink to its own folder (a loop)', 'skip', true, /^symlink loop \(links back to an enclosing folder\)$/));
  const badName = Buffer.concat([Buffer.from(dir + path.sep), Buffer.from([0x66, 0xe9, 0x65, 0x2e, 0x6a, 0x70, 0x67])]); // 'f\xe9e.jpg' in Latin-1
  fs.writeFileSync(badName, jpeg);
  cases.push({ id: 'f\ufffde.jpg', description: 'file name in Latin-1, not valid UTF-8', expect: 'skip', listed: true, reason: /^file name is not valid UTF-8$/ });

}

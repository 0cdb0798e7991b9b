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
 * replaced) and returns one description per entry, sorted by id.
 */
export async function makeBadInputFolder(dir: string): Promise<BadInput[]> {
  fs.mkdirSync(dir, { recursive: true });
  const cases: BadInput[] = [];
  const add = (id: string, description: string, expect: BadInput['expect'], listed = true): string => {
    cases.push({ id, description, expect, listed });
    const file = path.join(dir, ...id.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.rmSync(file, { force: true, recursive: true });
    return file;
  };

  const leftJpeg = await face('left').jpeg({ quality: 90 }).toBuffer();

  // Not images, or broken ones.
  fs.writeFileSync(add('empty.jpg', 'zero-byte file named .jpg', 'skip'), Buffer.alloc(0));
  fs.writeFileSync(add('truncated.jpg', 'JPEG of a face cut at 40% of its bytes', 'any'), leftJpeg.subarray(0, Math.floor(leftJpeg.length * 0.4)));
  fs.writeFileSync(add('text-named.jpg', 'text file named .jpg', 'skip'), 'This is not a JPEG.\n');
  fs.writeFileSync(add('notes.txt', 'plain .txt file (not an image extension)', 'skip'), 'notes\n');
  fs.symlinkSync('does-not-exist.jpg', add('broken-link.jpg', 'unreadable: symlink to a missing file', 'skip'));
  fs.mkdirSync(add('folder.jpg', 'unreadable as a file: a directory named like a photo (not listed; empty)', 'skip', false));

  // Images at the edges.
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toFile(add('tiny-1x1.png', '1x1 PNG', 'no-face'));
  await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#3a7bd5' } })
    .png({ compressionLevel: 9 })
    .toFile(add('huge-12000x12000.png', '12000x12000 flat-colour PNG (144 Mpixel; small file); refusing it as too large is fine', 'no-face'));

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

  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

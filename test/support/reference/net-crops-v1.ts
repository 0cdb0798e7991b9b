/**
 * The warp and the nets' input crops as they were before the speed-up of 2026-12 (lib/src/faces/align.ts
 * and lib/src/features/nets.ts at commit 7afddfa), kept verbatim so that
 * test/features/speed-equivalence.test.ts can check the faster code gives the same pixels. Not used by the library.
 */
import { affineScale, halve, invertAffine, type Affine, type RgbImage, type WarpOptions } from 'facetype/dist/faces/align';
import { attributeBox, descriptorBox } from 'facetype/dist/features/nets';
import { integerInRange, withDefaults } from 'facetype/dist/validate';

const DESCRIPTOR_SIZE = 150;
const ATTRIBUTE_SIZE = 112;

function antiAliased(src: RgbImage, m: Affine): { img: RgbImage; mm: Affine } {
  let img = src;
  let mm = m;
  let scale = affineScale(m);
  while (scale < 0.5 && img.width > 2 && img.height > 2) {
    const fx = img.width / Math.max(1, img.width >> 1);
    const fy = img.height / Math.max(1, img.height >> 1);
    img = halve(img);
    // source coords in the halved image are (x / fx, y / fy): compose the map with that scaling
    mm = [mm[0] * fx, mm[1] * fy, mm[2], mm[3] * fx, mm[4] * fy, mm[5]];
    scale *= 2;
  }
  return { img, mm };
}

function sampleBilinear(
  img: RgbImage, inv: Affine, width: number, height: number,
  out: Uint8Array | Float32Array, outOffset: number, scale: number, add: number, fill: ArrayLike<number> | null,
): void {
  const c = img.channels;
  const sw = img.width;
  const sh = img.height;
  const data = img.data;
  const maxX = sw - 1;
  const maxY = sh - 1;
  const a = inv[0], b = inv[1], tx = inv[2], cc = inv[3], d = inv[4], ty = inv[5];
  let o = outOffset;
  for (let y = 0; y < height; y++) {
    // sample at pixel centres; source coordinates advance by (a, cc) per destination pixel
    const yc = y + 0.5;
    let sx = a * 0.5 + b * yc + tx - 0.5;
    let sy = cc * 0.5 + d * yc + ty - 0.5;
    for (let x = 0; x < width; x++, sx += a, sy += cc, o += c) {
      if (fill !== null && (sx < -0.5 || sy < -0.5 || sx > sw - 0.5 || sy > sh - 0.5)) {
        for (let k = 0; k < c; k++) out[o + k] = fill[k];
        continue;
      }
      // clamp to the edge pixels (the half-pixel border, or everything outside with fill null)
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = cx | 0;
      const y0 = cy | 0;
      const fx = cx - x0;
      const fy = cy - y0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const i00 = (y0 * sw + x0) * c;
      const i01 = (y0 * sw + x1) * c;
      const i10 = (y1 * sw + x0) * c;
      const i11 = (y1 * sw + x1) * c;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let k = 0; k < c; k++) {
        out[o + k] = (data[i00 + k] * w00 + data[i01 + k] * w01 + data[i10 + k] * w10 + data[i11 + k] * w11) * scale + add;
      }
    }
  }
}

export function warpAffine(src: RgbImage, m: Affine, options: Partial<WarpOptions> & { width: number; height: number }): RgbImage {
  const opts = withDefaults('warpAffine options', { width: 0, height: 0, fill: [128, 128, 128] } as WarpOptions, options);
  integerInRange('width', opts.width, 1, 16384);
  integerInRange('height', opts.height, 1, 16384);
  const { img, mm } = antiAliased(src, m);
  const { width: W, height: H } = opts;
  const c = img.channels;
  const out = new Uint8Array(W * H * c);
  const fill = opts.fill === 'edge' ? null : Array.from({ length: c }, (_, k) => (opts.fill as number[])[k] ?? (opts.fill as number[])[0]);
  // + 0.5: the Uint8Array store truncates, so this rounds
  sampleBilinear(img, invertAffine(mm), W, H, out, 0, 1, 0.5, fill);
  return { data: out, width: W, height: H, channels: c };
}

/** Resamples the square [x, y, side] of `img` to size x size. */
export function squareCrop(img: RgbImage, x: number, y: number, side: number, size: number): RgbImage {
  const s = size / side;
  const m: Affine = [s, 0, -x * s, 0, s, -y * s];
  return warpAffine(img, m, { width: size, height: size, fill: [0, 0, 0] });
}

/** The rect [x, y, w, h] padded to a centred square with black, resized to size x size. */
export function paddedRectCrop(img: RgbImage, rect: [number, number, number, number], size: number): RgbImage {
  const [x, y, w, h] = rect;
  const side = Math.max(w, h);
  const sx = x - (side - w) / 2;
  const sy = y - (side - h) / 2;
  const out = squareCrop(img, sx, sy, side, size);
  // blacken what lies outside the rect (face-api pads with zeros)
  const inv = invertAffine([size / side, 0, -sx * (size / side), 0, size / side, -sy * (size / side)]);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const ox = inv[0] * (px + 0.5) + inv[2];
      const oy = inv[4] * (py + 0.5) + inv[5];
      if (ox < x || ox > x + w || oy < y || oy > y + h) {
        const o = (py * size + px) * 3;
        out.data[o] = out.data[o + 1] = out.data[o + 2] = 0;
      }
    }
  }
  return out;
}

/** Builds the nets' input crops from aligned crops and their 68 landmarks (crop pixels). */
export function netCrops(images: RgbImage[], landmarks: ArrayLike<number>[]): { descriptor: RgbImage[]; attribute: RgbImage[] } {
  const descriptor: RgbImage[] = [];
  const attribute: RgbImage[] = [];
  images.forEach((img, i) => {
    const [x, y, side] = descriptorBox(landmarks[i]);
    descriptor.push(squareCrop(img, x, y, side, DESCRIPTOR_SIZE));
    attribute.push(paddedRectCrop(img, attributeBox(landmarks[i]), ATTRIBUTE_SIZE));
  });
  return { descriptor, attribute };
}


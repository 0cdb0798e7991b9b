/**
 * Synthetic faces for the average tests: a hand-made 68-point template (iBUG layout), seeded
 * noise, smooth test patterns and constant-colour images. No real photos needed.
 */
import type { average } from 'facetype';

type RgbImage = average.RgbImage;

/** Seeded uniform random numbers in [0, 1) (Park-Miller). */
export function random(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** Standard normal from a uniform source (Box-Muller). */
export function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** A plausible frontal 68-point iBUG shape in a size x size crop (eyes at 32% / 68% of the width). */
export function template68(size: number): Float32Array {
  const p: number[] = [];
  const put = (x: number, y: number) => p.push(x * size, y * size);
  // jaw 0-16: from the left temple at eye level, round the chin, to the right temple
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI * (1 - i / 16);
    put(0.5 + 0.4 * Math.cos(a), 0.42 + 0.45 * Math.sin(a));
  }
  // brows 17-21, 22-26
  for (let j = 0; j < 5; j++) put(0.18 + 0.065 * j, 0.33 - 0.03 * Math.sin((Math.PI * j) / 4));
  for (let j = 0; j < 5; j++) put(0.56 + 0.065 * j, 0.33 - 0.03 * Math.sin((Math.PI * (4 - j)) / 4));
  // nose bridge 27-30, nostrils 31-35
  for (let j = 0; j < 4; j++) put(0.5, 0.42 + 0.06 * j);
  for (let j = 0; j < 5; j++) put(0.42 + 0.04 * j, 0.64 + (j === 2 ? 0.02 : j === 1 || j === 3 ? 0.01 : 0));
  // eyes 36-41 (image left), 42-47 (image right): corner, 2 upper, corner, 2 lower
  const eye = (cx: number) => {
    for (const a of [Math.PI, (2 * Math.PI) / 3, Math.PI / 3, 0, -Math.PI / 3, (-2 * Math.PI) / 3]) {
      put(cx + 0.07 * Math.cos(a), 0.42 - 0.03 * Math.sin(a));
    }
  };
  eye(0.32);
  eye(0.68);
  // outer lips 48-59, inner lips 60-67
  for (let j = 0; j < 12; j++) {
    const a = Math.PI - (2 * Math.PI * j) / 12;
    put(0.5 + 0.14 * Math.cos(a), 0.76 - 0.05 * Math.sin(a));
  }
  for (let j = 0; j < 8; j++) {
    const a = Math.PI - (2 * Math.PI * j) / 8;
    put(0.5 + 0.09 * Math.cos(a), 0.76 - 0.02 * Math.sin(a));
  }
  return Float32Array.from(p);
}

/** The template moved by a small random similarity and per-point noise (pixels). */
export function jitter(shape: Float32Array, rnd: () => number, noise = 0.5, pose = 1): Float32Array {
  const g = gaussian(rnd);
  const angle = 0.02 * pose * g();
  const scale = 1 + 0.02 * pose * g();
  const tx = pose * g();
  const ty = pose * g();
  const n = shape.length / 2;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += shape[2 * i];
    cy += shape[2 * i + 1];
  }
  cx /= n;
  cy /= n;
  const out = new Float32Array(shape.length);
  const c = Math.cos(angle) * scale;
  const s = Math.sin(angle) * scale;
  for (let i = 0; i < n; i++) {
    const x = shape[2 * i] - cx;
    const y = shape[2 * i + 1] - cy;
    out[2 * i] = cx + c * x - s * y + tx + noise * g();
    out[2 * i + 1] = cy + s * x + c * y + ty + noise * g();
  }
  return out;
}

/** Adds (dx, dy) to every point. */
export function shift(shape: Float32Array, dx: number, dy: number): Float32Array {
  return shape.map((v, i) => (i % 2 === 0 ? v + dx : v + dy));
}

/** A smooth colour pattern evaluated at (x, y). */
export function pattern(x: number, y: number): [number, number, number] {
  return [
    128 + 90 * Math.sin(x / 7) * Math.cos(y / 9),
    128 + 90 * Math.cos((x + y) / 11),
    128 + 60 * Math.sin((x - 2 * y) / 13),
  ];
}

/** An image whose pixel (x, y) is fn(x, y), rounded and clamped. */
export function imageFrom(width: number, height: number, fn: (x: number, y: number) => readonly number[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = fn(x, y);
      for (let c = 0; c < 3; c++) data[3 * (y * width + x) + c] = Math.max(0, Math.min(255, Math.round(v[c])));
    }
  }
  return { data, width, height, channels: 3 };
}

/** A constant-colour image. */
export function constant(width: number, height: number, rgb: readonly [number, number, number]): RgbImage {
  return imageFrom(width, height, () => rgb);
}

/** Largest absolute difference between two arrays over the listed indices (default all). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, indices?: Iterable<number>): number {
  let m = 0;
  const idx = indices ?? Array.from({ length: a.length }, (_, i) => i);
  for (const i of idx) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Pixel indices whose mask weight is at least `min`. */
export function maskPixels(mask: Float32Array, min = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] >= min) out.push(i);
  return out;
}

/** RGB channel indices of the listed pixels. */
export function channels(pixels: readonly number[]): number[] {
  const out: number[] = [];
  for (const p of pixels) out.push(3 * p, 3 * p + 1, 3 * p + 2);
  return out;
}

/**
 * A 468-point cloud in the face region with the MediaPipe eye points where the eye check expects
 * them (33, 133, 159, 145 on the image's left; 263, 362, 386, 374 on its right).
 */
export function template468(size: number, seed = 468): Float32Array {
  const rnd = random(seed);
  const p = new Float32Array(2 * 468);
  // a jittered grid of cells inside an ellipse, so points are never too close together
  const cells: [number, number][] = [];
  const step = 0.033;
  for (let y = 0.2; y < 0.9; y += step) {
    for (let x = 0.15; x < 0.85; x += step) {
      if (((x - 0.5) / 0.35) ** 2 + ((y - 0.55) / 0.35) ** 2 <= 1) cells.push([x, y]);
    }
  }
  for (let i = 0; i < 468; i++) {
    const [x, y] = cells[Math.floor((i * cells.length) / 468)];
    p[2 * i] = (x + (rnd() - 0.5) * step * 0.5) * size;
    p[2 * i + 1] = (y + (rnd() - 0.5) * step * 0.5) * size;
  }
  const put = (i: number, x: number, y: number) => {
    p[2 * i] = x * size;
    p[2 * i + 1] = y * size;
  };
  put(33, 0.25, 0.4);
  put(133, 0.4, 0.405);
  put(159, 0.325, 0.385);
  put(145, 0.325, 0.425);
  put(263, 0.75, 0.4);
  put(362, 0.6, 0.405);
  put(386, 0.675, 0.385);
  put(374, 0.675, 0.425);
  return p;
}

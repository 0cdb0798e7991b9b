/**
 * Measured attributes of one face, from its eye-aligned RGB crop and its 468 FaceMesh points (crop
 * pixels): skin tone (ITA), eyeglasses, facial hair, hair colour and head cover. Pure: no file I/O.
 *
 * `measureAttributes` returns a row of raw measures (MEASURES, in that order): colour statistics
 * and edge/texture measures of mesh-located regions. They are turned into per-face traits by
 * traits-build.ts with a calibration (a tiny logistic model per attribute, fitted on one half of
 * CelebA's identities by scripts/validate-attributes.ts), so a new calibration needs no re-measuring.
 *
 * Regions (mesh indices of MediaPipe FaceMesh; image-left is the subject's right):
 * - skin: both cheeks and the forehead, shrunk towards their centres; within them the darkest and
 *   brightest SKIN_DEFAULTS.trim of pixels by L* (deep shadow, specular highlights, stray hair) are
 *   dropped and the medians of L*, a*, b* taken. Eyes, brows, lips and nostrils lie outside them.
 * - glasses: the nose bridge between the eyes (a horizontal bar), the band under each eye (the
 *   lower rims), the temples beside the eyes (the arms) and the outer side of each eye (the rims).
 * - facial hair: the chin, both sides of the jaw and the upper lip, against the cheeks.
 * - hair / head cover: the band above the mesh's top (the forehead's top, point 10).
 *
 * Colour cast guard (SKIN_DEFAULTS.cast): a white reference from the crop is made neutral before the
 * skin's Lab is measured ('sclera': the brightest quarter of the eye whites; 'greyWorld': the mean of
 * the pixels outside the face oval; 'none'); faces whose reference is too coloured (chroma above
 * `maxCast`) or whose skin is too dark/bright or colourless get NaN. Flat grey 128 pixels (how
 * older preparations filled the crop outside the photo) are ignored everywhere; crops of today's
 * preparation repeat the photo's edge there instead, and those few pixels are measured.
 */
import type { RgbImage } from '../faces/align';
import { MESH as FACE_MESH, MESH468_VALUES } from '../faces/landmarks';

/** Names of the measures, in the order of a measure row. */
export const MEASURES = [
  'ita', 'skinL', 'skinA', 'skinB', 'cast', 'skinPixels',
  'bridgeEdge', 'rimEdge', 'templeEdge', 'sideEdge',
  'cheekTexture', 'chinDark', 'chinTexture', 'chinDarkShare', 'chinRed', 'jawDark', 'jawTexture', 'jawDarkShare', 'jawRed',
  'lipDark', 'lipTexture', 'lipDarkShare', 'lipRed',
  'hairInside', 'hairSkin', 'hairL', 'hairA', 'hairB', 'hairChroma', 'hairDark', 'hairGrey', 'hairBlond',
  'hairTexture', 'hatLine', 'sideDark',
] as const;
export type MeasureName = (typeof MEASURES)[number];
export const MEASURE_DIM = MEASURES.length;

/** Bumped when a measure changes (the features cache is rebuilt). */
export const MEASURES_VERSION = 1;

export type CastGuard = 'none' | 'greyWorld' | 'sclera';

export interface SkinOptions {
  /** White reference made neutral before measuring skin colour. */
  cast: CastGuard;
  /** Largest chroma (C*ab) of the white reference accepted; above it the skin tone is NaN. */
  maxCast: number;
  /** Share of skin pixels dropped at each end of the L* range (shadow, highlights). */
  trim: number;
  /** Fewest skin pixels for a measure. */
  minPixels: number;
  /** Skin median L* outside [minL, maxL] (under/over-exposed): NaN. */
  minL: number;
  maxL: number;
  /** Skin median b* below this (no colour, e.g. a greyscale photo): NaN. */
  minB: number;
  /** Largest channel gain the cast correction may apply. */
  maxGain: number;
}

export const SKIN_DEFAULTS: SkinOptions = { cast: 'none', maxCast: 30, trim: 0.15, minPixels: 60, minL: 15, maxL: 95, minB: 3, maxGain: 1.6 };

/** Standard ITA categories (Chardon et al.), lower bounds in degrees from the lightest. */
export const ITA_CATEGORIES = ['very light', 'light', 'intermediate', 'tan', 'brown', 'dark'] as const;
export const ITA_BOUNDS = [55, 41, 28, 10, -30] as const;

/** The ITA category index of an angle (NaN stays NaN). */
export function itaCategory(ita: number): number {
  if (!Number.isFinite(ita)) return NaN;
  for (let k = 0; k < ITA_BOUNDS.length; k++) if (ita > ITA_BOUNDS[k]) return k;
  return ITA_BOUNDS.length;
}

/** Age bands of the estimated age: upper bounds (exclusive) and names. */
export const AGE_BANDS = ['child', 'teen', 'young adult', 'middle-aged', 'older'] as const;
export const AGE_BOUNDS = [13, 20, 35, 55] as const;

export function ageBand(age: number): number {
  if (!Number.isFinite(age)) return NaN;
  for (let k = 0; k < AGE_BOUNDS.length; k++) if (age < AGE_BOUNDS[k]) return k;
  return AGE_BOUNDS.length;
}

// ---------------------------------------------------------------- colour

const LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

const labF = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);

/** CIELAB (D65) of linear RGB. */
export function linearToLab(r: number, g: number, b: number): [number, number, number] {
  const x = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
  const y = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
  const z = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIELAB (D65) of an sRGB colour (0-255). */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  return linearToLab(LINEAR[r], LINEAR[g], LINEAR[b]);
}

/** Linear sRGB (0-1) of a CIELAB colour, for tests and synthetic images. */
export function labToSrgb(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116;
  const inv = (f: number): number => (f ** 3 > 0.008856 ? f ** 3 : (f - 16 / 116) / 7.787);
  const X = 0.95047 * inv(fy + a / 500);
  const Y = inv(fy);
  const Z = 1.08883 * inv(fy - b / 200);
  const lin = [3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z, -0.969266 * X + 1.8760108 * Y + 0.041556 * Z, 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z];
  return lin.map((c) => {
    const v = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(Math.max(c, 0), 1 / 2.4) - 0.055;
    return Math.max(0, Math.min(255, Math.round(v * 255)));
  }) as [number, number, number];
}

/** ITA in degrees from L* and b* (NaN when b* is not positive). */
export function itaOf(L: number, b: number): number {
  return b > 0 ? (Math.atan((L - 50) / b) * 180) / Math.PI : NaN;
}

// ---------------------------------------------------------------- regions

type Pt = [number, number];

/** FaceMesh index lists of the regions. */
const MESH = {
  cheekR: [116, 117, 118, 101, 36, 205, 187, 123],
  cheekL: [345, 346, 347, 330, 266, 425, 411, 352],
  forehead: [109, 10, 338, 337, 151, 108],
  chin: [106, 18, 335, 369, 152, 140],
  jawR: [192, 57, 106, 140, 169, 135],
  jawL: [416, 287, 335, 369, 394, 364],
} as const;

/** L*, a*, b* of a list of pixels, in the list's order. */
interface LabColumns {
  L: Float64Array;
  A: Float64Array;
  B: Float64Array;
}

/**
 * A crop's per-pixel buffers (luma, fill flags, the Lab cache), kept between calls for crops of
 * the same size: measureAttributes is synchronous, so one set per thread serves every call, and
 * the 1 MB per face of fresh typed arrays (and their garbage collection) is saved.
 */
let scratch: { n: number; luma: Float32Array; fill: Uint8Array; labs: Float32Array; done: Uint8Array } | null = null;

/**
 * Space for the per-region columns of one measureAttributes call (Lab columns, kept values),
 * handed out by Crop.take and reclaimed by the next call: fresh small typed arrays cost more
 * than the work on them. Grows by replacement (the views already handed out stay valid).
 */
let columnPool = new Float64Array(1 << 15);

class Crop {
  readonly w: number;
  readonly h: number;
  readonly luma: Float32Array;
  readonly fill: Uint8Array;
  /** Lab of each pixel without gains (float32), computed on first use (done[k] = 1). */
  private readonly labs: Float32Array;
  private readonly done: Uint8Array;
  /** Values of columnPool handed out in this call. */
  private poolUsed = 0;
  constructor(readonly img: RgbImage, fillTolerance: number) {
    const { width: w, height: h, data, channels } = img;
    if (channels !== 3 || data.length !== w * h * 3) throw new Error(`measureAttributes: an RGB crop is needed, got ${w}x${h}x${channels} (${data.length} bytes)`);
    this.w = w;
    this.h = h;
    const n = w * h;
    if (scratch?.n !== n) scratch = { n, luma: new Float32Array(n), fill: new Uint8Array(n), labs: new Float32Array(n * 3), done: new Uint8Array(n) };
    else scratch.done.fill(0);
    this.luma = scratch.luma;
    this.fill = scratch.fill;
    this.labs = scratch.labs;
    this.done = scratch.done;
    this.poolUsed = 0;
    const { luma, fill } = this;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const r = data[o], g = data[o + 1], b = data[o + 2];
      luma[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      fill[i] = Math.abs(r - 128) <= fillTolerance && Math.abs(g - 128) <= fillTolerance && Math.abs(b - 128) <= fillTolerance ? 1 : 0;
    }
  }

  /** A column of n values (not zeroed), valid until the next measureAttributes call. */
  take(n: number): Float64Array {
    if (this.poolUsed + n > columnPool.length) {
      columnPool = new Float64Array(Math.max(2 * columnPool.length, n));
      this.poolUsed = 0;
    }
    const v = columnPool.subarray(this.poolUsed, this.poolUsed + n);
    this.poolUsed += n;
    return v;
  }

  /** Median of values, on a copy from the column pool (`v` keeps its order). */
  median(v: Float64Array): number {
    const a = this.take(v.length);
    a.set(v);
    return medianInPlace(a);
  }

  /** Pixel indices inside a polygon (in-photo pixels only; scanline fill at pixel centres). */
  polygon(poly: Pt[]): number[] {
    let y0 = Infinity, y1 = -Infinity;
    for (const [, y] of poly) {
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    const out: number[] = [];
    const xs: number[] = [];
    for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(this.h - 1, Math.ceil(y1)); y++) {
      const py = y + 0.5;
      xs.length = 0;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [xi, yi] = poly[i];
        const [xj, yj] = poly[j];
        if (yi > py !== yj > py) xs.push(((xj - xi) * (py - yi)) / (yj - yi) + xi);
      }
      xs.sort((a, b) => a - b);
      for (let s = 0; s + 1 < xs.length; s += 2) {
        const xa = Math.max(0, Math.ceil(xs[s] - 0.5)), xb = Math.min(this.w - 1, Math.floor(xs[s + 1] - 0.5));
        for (let x = xa; x <= xb; x++) {
          const k = y * this.w + x;
          if (!this.fill[k]) out.push(k);
        }
      }
    }
    return out;
  }

  /** Pixel indices of a rectangle (in-photo pixels only). */
  rect(x0: number, y0: number, x1: number, y1: number): number[] {
    return this.polygon([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]);
  }

  /**
   * L*, a*, b* of the pixels `px` as three columns: without gains from the per-pixel cache (float32,
   * filled on first use), with channel gains computed afresh (float64).
   */
  labsOf(px: ArrayLike<number>, gains?: [number, number, number]): LabColumns {
    const n = px.length;
    const L = this.take(n), A = this.take(n), B = this.take(n);
    const d = this.img.data;
    const { labs, done } = this;
    for (let i = 0; i < n; i++) {
      const k = px[i];
      const o = k * 3;
      if (gains) {
        const v = linearToLab(Math.min(1, LINEAR[d[o]] * gains[0]), Math.min(1, LINEAR[d[o + 1]] * gains[1]), Math.min(1, LINEAR[d[o + 2]] * gains[2]));
        L[i] = v[0];
        A[i] = v[1];
        B[i] = v[2];
        continue;
      }
      if (!done[k]) {
        // linearToLab, inlined (no array per pixel)
        const r = LINEAR[d[o]], g = LINEAR[d[o + 1]], b = LINEAR[d[o + 2]];
        const x = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
        const y = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
        const z = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
        labs[o] = 116 * y - 16;
        labs[o + 1] = 500 * (x - y);
        labs[o + 2] = 200 * (y - z);
        done[k] = 1;
      }
      L[i] = labs[o];
      A[i] = labs[o + 1];
      B[i] = labs[o + 2];
    }
    return { L, A, B };
  }

  /** Mean |Laplacian| of the luma over pixels (texture). */
  texture(px: number[]): number {
    const { w, h, luma } = this;
    let s = 0, n = 0;
    for (const k of px) {
      const x = k % w, y = (k - x) / w;
      if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
      s += Math.abs(4 * luma[k] - luma[k - 1] - luma[k + 1] - luma[k - w] - luma[k + w]);
      n++;
    }
    return n ? s / n : NaN;
  }

  /**
   * Peak of the mean |vertical derivative| per row (horizontal edges: rows) or of the mean
   * |horizontal derivative| per column (vertical edges: columns) in a rectangle, above its median.
   */
  edgePeak(x0: number, y0: number, x1: number, y1: number, along: 'rows' | 'columns'): number {
    const { w, h, luma, fill } = this;
    const xa = Math.max(1, Math.round(x0)), xb = Math.min(w - 2, Math.round(x1));
    const ya = Math.max(1, Math.round(y0)), yb = Math.min(h - 2, Math.round(y1));
    if (xb - xa < 2 || yb - ya < 2) return NaN;
    const profile: number[] = [];
    const outer = along === 'rows' ? [ya, yb] : [xa, xb];
    const inner = along === 'rows' ? [xa, xb] : [ya, yb];
    const rows = along === 'rows';
    // the derivative's neighbours and the step along a profile line
    const step = rows ? w : 1;
    const stride = rows ? 1 : w;
    for (let u = outer[0]; u <= outer[1]; u++) {
      let s = 0, n = 0;
      for (let v = inner[0], k = rows ? u * w + v : v * w + u; v <= inner[1]; v++, k += stride) {
        if (fill[k]) continue;
        s += Math.abs(luma[k + step] - luma[k - step]);
        n++;
      }
      if (n > (inner[1] - inner[0]) / 2) profile.push(s / n);
    }
    if (profile.length < 3) return NaN;
    const sorted = [...profile].sort((a, b) => a - b);
    return sorted[sorted.length - 1] - sorted[Math.floor(sorted.length / 2)];
  }
}

/** Median by quickselect (NaN for no values). */
export function median(v: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(v));
}

/** Median of `a` by quickselect, reordering `a` (NaN for no values). */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (!n) return NaN;
  const kth = (k: number): number => {
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const pivot = a[(lo + hi) >> 1];
      let i = lo, j = hi;
      while (i <= j) {
        while (a[i] < pivot) i++;
        while (a[j] > pivot) j--;
        if (i <= j) {
          const t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return a[k];
    }
    return a[k];
  };
  const m = n >> 1;
  const upper = kth(m);
  if (n % 2) return upper;
  let lower = -Infinity;
  for (let i = 0; i < m; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** The mean of the finite values (NaN when none): a measure from both sides of the face, or the one side visible. */
function meanOfFinite(v: number[]): number {
  const f = v.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

/** A polygon moved towards its centroid by `f` (1 = unchanged). */
function shrink(poly: Pt[], f: number): Pt[] {
  const cx = poly.reduce((s, p) => s + p[0], 0) / poly.length;
  const cy = poly.reduce((s, p) => s + p[1], 0) / poly.length;
  return poly.map(([x, y]) => [cx + (x - cx) * f, cy + (y - cy) * f]);
}

export interface AttributeOptions {
  skin: SkinOptions;
  /** Pixels within this of grey 128 in every channel are the preparation's out-of-photo fill. */
  fillTolerance: number;
  /** A pixel is "dark" for the facial-hair shares when its L* is this far below the cheeks'. */
  darkDelta: number;
  /** Hair band pixels within this Lab distance (L* weighted 1/2) of the skin are skin-like. */
  skinDistance: number;
  /** Fewest in-photo pixels (share of the band) to measure hair. */
  minHairInside: number;
  /** |dI/dy| above this counts as an edge pixel for the hat line. */
  hatEdge: number;
}

export const ATTRIBUTE_DEFAULTS: AttributeOptions = { skin: SKIN_DEFAULTS, fillTolerance: 2, darkDelta: 12, skinDistance: 12, minHairInside: 0.3, hatEdge: 20 };

interface SkinResult {
  L: number;
  a: number;
  b: number;
  ita: number;
  cast: number;
  pixels: number;
}

/** Mean linear RGB of a white reference: the brightest quarter of the eye whites, or the pixels outside the face oval. */
function whiteReference(c: Crop, pt: (i: number) => Pt, ref: 'sclera' | 'greyWorld'): [number, number, number] | null {
  let px: number[];
  if (ref === 'sclera') {
    const eyes = [...c.polygon(shrink(FACE_MESH.rightEye.map(pt), 0.8)), ...c.polygon(shrink(FACE_MESH.leftEye.map(pt), 0.8))];
    eyes.sort((p, q) => c.luma[q] - c.luma[p]);
    px = eyes.slice(0, Math.max(4, Math.floor(eyes.length / 4)));
  } else {
    const face = new Uint8Array(c.w * c.h);
    for (const k of c.polygon(FACE_MESH.silhouette.map(pt))) face[k] = 1;
    px = [];
    for (let k = 0; k < c.w * c.h; k += 3) if (!c.fill[k] && !face[k]) px.push(k);
  }
  if (px.length < 4) return null;
  const d = c.img.data;
  const m: [number, number, number] = [0, 0, 0];
  for (const k of px) for (let j = 0; j < 3; j++) m[j] += LINEAR[d[3 * k + j]] / px.length;
  return m;
}

/** Channel gains that make the guard's white reference neutral (same luminance). */
function castGains(c: Crop, pt: (i: number) => Pt, guard: CastGuard, maxGain: number): [number, number, number] | null {
  if (guard === 'none') return [1, 1, 1];
  const m = whiteReference(c, pt, guard);
  if (!m) return null;
  const Y = 0.2126729 * m[0] + 0.7151522 * m[1] + 0.072175 * m[2];
  const clamp = (v: number): number => Math.max(1 / maxGain, Math.min(maxGain, v));
  return [clamp(Y / m[0]), clamp(Y / m[1]), clamp(Y / m[2])];
}

/** Chroma (C*ab) of the eye whites: the colour cast of the photo's light (and white balance). */
function scleraCast(c: Crop, pt: (i: number) => Pt): number {
  const m = whiteReference(c, pt, 'sclera');
  if (!m) return NaN;
  const [, a, b] = linearToLab(m[0], m[1], m[2]);
  return Math.hypot(a, b);
}

/** The skin tone on the cheeks (`cheeks`: their pixels, shrunk polygons) and the forehead. */
function measureSkin(c: Crop, pt: (i: number) => Pt, o: SkinOptions, cheeks: number[]): SkinResult {
  const px = cheeks.concat(c.polygon(shrink(MESH.forehead.map(pt), 0.8)));
  const gains = castGains(c, pt, o.cast, o.maxGain);
  const cast = scleraCast(c, pt);
  const nan: SkinResult = { L: NaN, a: NaN, b: NaN, ita: NaN, cast, pixels: px.length };
  if (px.length < o.minPixels || !gains) return nan;
  const neutral = gains.every((g) => g === 1);
  const { L, A, B } = c.labsOf(px, neutral ? undefined : gains);
  const n = px.length;
  const Ls = L.slice().sort();
  const cut = Math.floor(n * o.trim);
  const [lo, hi] = [Ls[cut], Ls[n - 1 - cut]];
  // the pixels within [lo, hi], in their order (the medians' quickselect depends on it)
  const kL = c.take(n), kA = c.take(n), kB = c.take(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (L[i] >= lo && L[i] <= hi) {
      kL[m] = L[i];
      kA[m] = A[i];
      kB[m] = B[i];
      m++;
    }
  }
  return withIta(c.median(kL.subarray(0, m)), c.median(kA.subarray(0, m)), c.median(kB.subarray(0, m)), cast, px.length, o);
}

/** How many values lie below `limit`. */
function countBelow(v: Float64Array, limit: number): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (v[i] < limit) n++;
  return n;
}

function withIta(L: number, a: number, b: number, cast: number, pixels: number, o: SkinOptions): SkinResult {
  const ok = !(cast > o.maxCast) && L >= o.minL && L <= o.maxL && b >= o.minB;
  return { L, a, b, ita: ok ? itaOf(L, b) : NaN, cast, pixels };
}

/**
 * Measures one face: `crop` is the eye-aligned RGB crop, `mesh` its 468 FaceMesh points (x, y
 * interleaved, crop pixels). Returns a row of MEASURE_DIM numbers (NaN where not measurable).
 */
export function measureAttributes(crop: RgbImage, mesh: ArrayLike<number>, options: Partial<AttributeOptions> = {}): Float32Array {
  const o: AttributeOptions = { ...ATTRIBUTE_DEFAULTS, ...options, skin: { ...SKIN_DEFAULTS, ...(options.skin ?? {}) } };
  if (mesh.length < MESH468_VALUES) throw new Error(`measureAttributes: 468 mesh points (${MESH468_VALUES} numbers) are needed, got ${mesh.length}`);
  const c = new Crop(crop, o.fillTolerance);
  const pt = (i: number): Pt => [mesh[2 * i], mesh[2 * i + 1]];
  const out = new Float32Array(MEASURE_DIM).fill(NaN);
  const set = (name: MeasureName, v: number): void => {
    out[MEASURES.indexOf(name)] = v;
  };
  const mid = (p: Pt, q: Pt, t: number): Pt => [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
  const eyeR = mid(pt(33), pt(133), 0.5);
  const eyeL = mid(pt(263), pt(362), 0.5);
  const ed = Math.hypot(eyeL[0] - eyeR[0], eyeL[1] - eyeR[1]);
  if (!(ed > 4)) return out;
  const eyeY = (eyeR[1] + eyeL[1]) / 2;

  // skin tone (the cheeks' pixels also serve the facial hair's reference below)
  const cheeks = [MESH.cheekR, MESH.cheekL].flatMap((r) => c.polygon(shrink(r.map(pt), 0.75)));
  const skin = measureSkin(c, pt, o.skin, cheeks);
  set('ita', skin.ita);
  set('skinL', skin.L);
  set('skinA', skin.a);
  set('skinB', skin.b);
  set('cast', skin.cast);
  set('skinPixels', skin.pixels);

  // eyeglasses: horizontal bars across the bridge, under the eyes and at the temples; rims beside the eyes
  const [xi1, xi2] = [pt(133)[0], pt(362)[0]];
  const inner = xi2 - xi1;
  set('bridgeEdge', c.edgePeak(xi1 + 0.2 * inner, eyeY - 0.35 * ed, xi2 - 0.2 * inner, eyeY + 0.1 * ed, 'rows'));
  const rims = [[33, 133, 145], [362, 263, 374]].map(([a, b, low]) => c.edgePeak(pt(a)[0], pt(low)[1] + 0.08 * ed, pt(b)[0], pt(low)[1] + 0.4 * ed, 'rows'));
  set('rimEdge', meanOfFinite(rims));
  const temples = [
    c.edgePeak(pt(234)[0] + 0.05 * ed, eyeY - 0.35 * ed, pt(33)[0] - 0.15 * ed, eyeY + 0.1 * ed, 'rows'),
    c.edgePeak(pt(263)[0] + 0.15 * ed, eyeY - 0.35 * ed, pt(454)[0] - 0.05 * ed, eyeY + 0.1 * ed, 'rows'),
  ];
  set('templeEdge', meanOfFinite(temples));
  const sides = [
    c.edgePeak(pt(33)[0] - 0.35 * ed, eyeY - 0.25 * ed, pt(33)[0] - 0.02 * ed, eyeY + 0.25 * ed, 'columns'),
    c.edgePeak(pt(263)[0] + 0.02 * ed, eyeY - 0.25 * ed, pt(263)[0] + 0.35 * ed, eyeY + 0.25 * ed, 'columns'),
  ];
  set('sideEdge', meanOfFinite(sides));

  // facial hair: darkness and texture of chin, jaw and upper lip against the cheeks (raw colours)
  const cheekLabs = c.labsOf(cheeks);
  const [cheekL, cheekA, cheekB] = [c.median(cheekLabs.L), c.median(cheekLabs.A), c.median(cheekLabs.B)];
  const cheekTex = c.texture(cheeks);
  set('cheekTexture', cheekTex);
  const hairRegion = (px: number[], dark: MeasureName, tex: MeasureName, share: MeasureName, red: MeasureName): void => {
    if (px.length < 10 || !Number.isFinite(cheekL)) return;
    const { L, A } = c.labsOf(px);
    set(dark, cheekL - c.median(L));
    set(red, cheekA - c.median(A));
    set(tex, c.texture(px) - cheekTex);
    set(share, countBelow(L, cheekL - o.darkDelta) / L.length);
  };
  hairRegion(c.polygon(shrink(MESH.chin.map(pt), 0.85)), 'chinDark', 'chinTexture', 'chinDarkShare', 'chinRed');
  hairRegion([MESH.jawR, MESH.jawL].flatMap((r) => c.polygon(shrink(r.map(pt), 0.8))), 'jawDark', 'jawTexture', 'jawDarkShare', 'jawRed');
  const lip: Pt[] = [mid(pt(98), pt(37), 0.35), mid(pt(2), pt(0), 0.35), mid(pt(327), pt(267), 0.35), mid(pt(327), pt(267), 0.9), mid(pt(2), pt(0), 0.9), mid(pt(98), pt(37), 0.9)];
  hairRegion(c.polygon(lip), 'lipDark', 'lipTexture', 'lipDarkShare', 'lipRed');

  // hair and head cover: the band above the forehead's top (mesh point 10)
  const top = pt(10)[1];
  const bx0 = pt(67)[0], bx1 = pt(297)[0];
  const by0 = Math.max(0, top - 0.6 * ed), by1 = top - 0.08 * ed;
  const bandArea = Math.max(1, (bx1 - bx0) * (by1 - by0));
  const band = by1 > by0 + 2 ? c.rect(bx0, by0, bx1, by1) : [];
  const inside = band.length / bandArea;
  set('hairInside', Math.min(1, inside));
  if (inside >= o.minHairInside && band.length >= 20 && Number.isFinite(skin.L)) {
    const { L, A, B } = c.labsOf(band);
    const n = band.length;
    // skin reference in raw colours (the band is compared with the raw cheeks)
    const isSkin = new Uint8Array(n);
    let skinLike = 0;
    for (let i = 0; i < n; i++) {
      if (Math.hypot((L[i] - cheekL) / 2, A[i] - cheekA, B[i] - cheekB) < o.skinDistance) {
        isSkin[i] = 1;
        skinLike++;
      }
    }
    set('hairSkin', skinLike / n);
    // the hair: the pixels unlike skin when there are 10 or more, else the whole band (in order)
    const useAll = n - skinLike < 10;
    const uL = c.take(n), uA = c.take(n), uB = c.take(n), chroma = c.take(n);
    let m = 0, dark = 0, grey = 0, blond = 0;
    for (let i = 0; i < n; i++) {
      if (!useAll && isSkin[i]) continue;
      const ch = Math.hypot(A[i], B[i]);
      uL[m] = L[i];
      uA[m] = A[i];
      uB[m] = B[i];
      chroma[m] = ch;
      m++;
      if (L[i] < 25) dark++;
      if (L[i] > 50 && ch < 10) grey++;
      if (L[i] > 50 && B[i] > 15) blond++;
    }
    set('hairL', c.median(uL.subarray(0, m)));
    set('hairA', c.median(uA.subarray(0, m)));
    set('hairB', c.median(uB.subarray(0, m)));
    set('hairChroma', c.median(chroma.subarray(0, m)));
    set('hairDark', dark / m);
    set('hairGrey', grey / m);
    set('hairBlond', blond / m);
    set('hairTexture', c.texture(band));
  }
  // hat: a straight horizontal edge across the forehead's top (a brim), the share of columns crossing it
  {
    const xa = Math.max(1, Math.round(pt(109)[0])), xb = Math.min(c.w - 2, Math.round(pt(338)[0]));
    const ya = Math.max(2, Math.round(top - 0.6 * ed)), yb = Math.min(c.h - 3, Math.round(pt(151)[1]));
    if (xb - xa > 4 && yb > ya) {
      const wd = xb - xa + 1;
      // edge[y - ya + 1][x - xa]: |dI/dy| above hatEdge at (x, y), rows ya-1 .. yb+1
      const edge = new Uint8Array((yb - ya + 3) * wd);
      for (let y = ya - 1; y <= yb + 1; y++) {
        for (let x = xa; x <= xb; x++) {
          const k = y * c.w + x;
          if (Math.abs(c.luma[k + c.w] - c.luma[k - c.w]) > o.hatEdge) edge[(y - ya + 1) * wd + x - xa] = 1;
        }
      }
      let best = 0;
      for (let y = ya; y <= yb; y++) {
        let hits = 0, n = 0;
        for (let x = xa; x <= xb; x++) {
          const k = y * c.w + x;
          if (c.fill[k] || c.fill[k - c.w] || c.fill[k + c.w]) continue;
          n++;
          const e = (y - ya + 1) * wd + x - xa;
          if (edge[e - wd] || edge[e] || edge[e + wd]) hits++;
        }
        if (n > wd / 2) best = Math.max(best, hits / n);
      }
      set('hatLine', best);
    }
  }
  // hair beside the temples (long or dark hair at the sides)
  {
    const side = [c.rect(pt(234)[0] - 0.35 * ed, pt(21)[1], pt(234)[0] - 0.05 * ed, pt(234)[1]), c.rect(pt(454)[0] + 0.05 * ed, pt(251)[1], pt(454)[0] + 0.35 * ed, pt(454)[1])].flat();
    if (side.length >= 20) set('sideDark', countBelow(c.labsOf(side).L, 30) / side.length);
  }
  return out;
}

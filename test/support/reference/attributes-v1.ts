/**
 * The measured attributes as they were before the speed-up of 2026-12 (lib/src/features/attributes.ts at
 * commit 7afddfa), kept verbatim so that test/features/attributes-speed.test.ts can check the
 * restructured code gives the same rows. Not used by the library.
 */
import type { RgbImage } from 'facetype/dist/faces/align';
import { MESH as FACE_MESH, MESH468_VALUES } from 'facetype/dist/faces/landmarks';

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

class Crop {
  readonly w: number;
  readonly h: number;
  readonly luma: Float32Array;
  readonly fill: Uint8Array;
  /** Lab of each pixel without gains, computed on first use. */
  private readonly labs: Float32Array;
  private readonly done: Uint8Array;
  constructor(readonly img: RgbImage, fillTolerance: number) {
    const { width: w, height: h, data, channels } = img;
    if (channels !== 3 || data.length !== w * h * 3) throw new Error(`measureAttributes: an RGB crop is needed, got ${w}x${h}x${channels} (${data.length} bytes)`);
    this.w = w;
    this.h = h;
    this.luma = new Float32Array(w * h);
    this.fill = new Uint8Array(w * h);
    this.labs = new Float32Array(w * h * 3);
    this.done = new Uint8Array(w * h);
    for (let i = 0, o = 0; i < w * h; i++, o += 3) {
      const r = data[o], g = data[o + 1], b = data[o + 2];
      this.luma[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      if (Math.abs(r - 128) <= fillTolerance && Math.abs(g - 128) <= fillTolerance && Math.abs(b - 128) <= fillTolerance) this.fill[i] = 1;
    }
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

  lab(k: number, gains?: [number, number, number]): [number, number, number] {
    const o = k * 3;
    const d = this.img.data;
    if (!gains) {
      if (!this.done[k]) {
        const v = linearToLab(LINEAR[d[o]], LINEAR[d[o + 1]], LINEAR[d[o + 2]]);
        this.labs[o] = v[0];
        this.labs[o + 1] = v[1];
        this.labs[o + 2] = v[2];
        this.done[k] = 1;
      }
      return [this.labs[o], this.labs[o + 1], this.labs[o + 2]];
    }
    return linearToLab(Math.min(1, LINEAR[d[o]] * gains[0]), Math.min(1, LINEAR[d[o + 1]] * gains[1]), Math.min(1, LINEAR[d[o + 2]] * gains[2]));
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
    for (let u = outer[0]; u <= outer[1]; u++) {
      let s = 0, n = 0;
      for (let v = inner[0]; v <= inner[1]; v++) {
        const [x, y] = along === 'rows' ? [v, u] : [u, v];
        const k = y * w + x;
        if (fill[k]) continue;
        s += along === 'rows' ? Math.abs(luma[k + w] - luma[k - w]) : Math.abs(luma[k + 1] - luma[k - 1]);
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
  const n = v.length;
  if (!n) return NaN;
  const a = Float64Array.from(v);
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

function measureSkin(c: Crop, pt: (i: number) => Pt, o: SkinOptions): SkinResult {
  const px = [MESH.cheekR, MESH.cheekL].flatMap((r) => c.polygon(shrink(r.map(pt), 0.75)));
  px.push(...c.polygon(shrink(MESH.forehead.map(pt), 0.8)));
  const gains = castGains(c, pt, o.cast, o.maxGain);
  const cast = scleraCast(c, pt);
  const nan: SkinResult = { L: NaN, a: NaN, b: NaN, ita: NaN, cast, pixels: px.length };
  if (px.length < o.minPixels || !gains) return nan;
  const neutral = gains.every((g) => g === 1);
  const labs = px.map((k) => c.lab(k, neutral ? undefined : gains));
  const Ls = Float64Array.from(labs, (v) => v[0]).sort();
  const cut = Math.floor(labs.length * o.trim);
  const [lo, hi] = [Ls[cut], Ls[labs.length - 1 - cut]];
  const kept = labs.filter((v) => v[0] >= lo && v[0] <= hi);
  const L = median(kept.map((v) => v[0]));
  const a = median(kept.map((v) => v[1]));
  const b = median(kept.map((v) => v[2]));
  return withIta(L, a, b, cast, px.length, o);
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

  // skin tone
  const skin = measureSkin(c, pt, o.skin);
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
  const cheeks = [MESH.cheekR, MESH.cheekL].flatMap((r) => c.polygon(shrink(r.map(pt), 0.75)));
  const cheekLabs = cheeks.map((k) => c.lab(k));
  const [cheekL, cheekA, cheekB] = [0, 1, 2].map((j) => median(cheekLabs.map((v) => v[j])));
  const cheekTex = c.texture(cheeks);
  set('cheekTexture', cheekTex);
  const hairRegion = (px: number[], dark: MeasureName, tex: MeasureName, share: MeasureName, red: MeasureName): void => {
    if (px.length < 10 || !Number.isFinite(cheekL)) return;
    const Ls = px.map((k) => c.lab(k)[0]);
    set(dark, cheekL - median(Ls));
    set(red, cheekA - median(px.map((k) => c.lab(k)[1])));
    set(tex, c.texture(px) - cheekTex);
    set(share, Ls.filter((L) => L < cheekL - o.darkDelta).length / Ls.length);
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
    const labs = band.map((k) => c.lab(k));
    // skin reference in raw colours (the band is compared with the raw cheeks)
    const sk = [cheekL, cheekA, cheekB];
    const isSkin = labs.map(([L, a, b]) => Math.hypot((L - sk[0]) / 2, a - sk[1], b - sk[2]) < o.skinDistance);
    set('hairSkin', isSkin.filter(Boolean).length / labs.length);
    const hair = labs.filter((_, i) => !isSkin[i]);
    const use = hair.length >= 10 ? hair : labs;
    const chroma = use.map(([, a, b]) => Math.hypot(a, b));
    set('hairL', median(use.map((v) => v[0])));
    set('hairA', median(use.map((v) => v[1])));
    set('hairB', median(use.map((v) => v[2])));
    set('hairChroma', median(chroma));
    set('hairDark', use.filter(([L]) => L < 25).length / use.length);
    set('hairGrey', use.filter(([L], i) => L > 50 && chroma[i] < 10).length / use.length);
    set('hairBlond', use.filter(([L, , b]) => L > 50 && b > 15).length / use.length);
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
    if (side.length >= 20) set('sideDark', side.filter((k) => c.lab(k)[0] < 30).length / side.length);
  }
  return out;
}

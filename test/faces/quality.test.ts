import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces } from 'facetype';
import { sharedDir } from '../support/shared-data';

const CELEBA = path.join(sharedDir(), 'data', 'celeba', 'images');
const celebaMissing: false | string = fs.existsSync(CELEBA) ? false : `CelebA is absent (looked for ${CELEBA})`;

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): faces.RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
}

test('measureQuality() of a flat grey image: no sharpness, no contrast, grayscale', () => {
  const q = faces.measureQuality(image(20, 20, () => [128, 128, 128]), [0, 0, 20, 20]);
  assert.ok(q.sharpness < 1e-6);
  assert.ok(Math.abs(q.brightness - 128 / 255) < 1e-6);
  assert.ok(q.contrast < 1e-6);
  assert.equal(q.grayscale, true);
});

test('measureQuality() Laplacian variance of a checkerboard is computed exactly', () => {
  // lum alternates 0/255: the 4-neighbour Laplacian is +-4*255 everywhere inside, mean 0
  const q = faces.measureQuality(image(10, 10, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])), [0, 0, 10, 10]);
  assert.ok(Math.abs(q.sharpness - (4 * 255) ** 2) < 1e-3 * (4 * 255) ** 2);
  assert.ok(Math.abs(q.contrast - 0.5) < 1e-9);
});

test('measureQuality() colourfulness separates colour from grey', () => {
  const q = faces.measureQuality(image(10, 10, () => [200, 120, 90]), [0, 0, 10, 10]);
  assert.equal(q.colorfulness, 80 + 30);
  assert.equal(q.grayscale, false);
});

test('measureQuality() blurring lowers sharpness', () => {
  const sharp = image(32, 32, (x) => (x < 16 ? [0, 0, 0] : [255, 255, 255]));
  const soft = image(32, 32, (x) => { const v = Math.round(255 / (1 + Math.exp(-(x - 15.5) / 2))); return [v, v, v]; });
  assert.ok(faces.measureQuality(sharp, [0, 0, 32, 32]).sharpness > 5 * faces.measureQuality(soft, [0, 0, 32, 32]).sharpness);
});

test('measureQuality() rejects a region too small', () => {
  assert.throws(() => faces.measureQuality(image(4, 4, () => [0, 0, 0]), [0, 0, 2, 2]), /quality region too small: 2x2/);
});

test('innerFaceRegion() lies inside the crop and between the eyes horizontally', () => {
  const t = faces.DEFAULT_TEMPLATE;
  const [x0, y0, x1, y1] = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  assert.ok(x0 >= 0 && y0 >= 0 && x1 <= t.size && y1 <= t.size);
  assert.ok(x0 < t.rightEye[0] * t.size && x1 > t.leftEye[0] * t.size);
});

test('eyeBrightness() is low when the eye boxes are dark (sunglasses) and near 1 on a flat face', () => {
  const t = faces.DEFAULT_TEMPLATE;
  const region = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  const flat = image(t.size, t.size, () => [180, 150, 130]);
  assert.ok(Math.abs(faces.eyeBrightness(flat, t.size, t.rightEye, t.leftEye, region) - 1) < 1e-9);
  const iod = (t.leftEye[0] - t.rightEye[0]) * t.size;
  const glasses = image(t.size, t.size, (x, y) => {
    const inEye = [t.rightEye, t.leftEye].some((e) => Math.abs(x - e[0] * t.size) < 0.3 * iod && Math.abs(y - e[1] * t.size) < 0.2 * iod);
    return inEye ? [15, 15, 15] : [180, 150, 130];
  });
  assert.ok(faces.eyeBrightness(glasses, t.size, t.rightEye, t.leftEye, region) < 0.2);
});

/** A textured test face: sums of sines at several frequencies (a crisp pattern), optionally box-blurred. */
function texture(w: number, h: number, period = 1): faces.RgbImage {
  return image(w, h, (x, y) => {
    const v = 128 + 40 * Math.sin((x * 1.7) / period) * Math.cos((y * 1.3) / period) + 30 * Math.sign(Math.sin((x + 2 * y) / (3 * period)));
    const c = Math.max(0, Math.min(255, Math.round(v)));
    return [c, c, c];
  });
}

function boxBlur(img: faces.RgbImage, r: number): faces.RgbImage {
  return image(img.width, img.height, (x, y) => {
    let s = 0;
    let n = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const xx = Math.min(img.width - 1, Math.max(0, x + dx));
      const yy = Math.min(img.height - 1, Math.max(0, y + dy));
      s += img.data[(yy * img.width + xx) * 3];
      n++;
    }
    const v = Math.round(s / n);
    return [v, v, v];
  });
}

test('reblurRatio() is near 0 for a crisp pattern, near 1 for a flat patch, and rises with blur', () => {
  const lum = (img: faces.RgbImage): Float32Array => Float32Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 3]);
  const crisp = texture(48, 48);
  const soft = boxBlur(crisp, 2);
  const a = faces.reblurRatio(lum(crisp), 48, 48);
  const b = faces.reblurRatio(lum(soft), 48, 48);
  assert.ok(a < 0.35, `crisp ${a}`);
  assert.ok(b > a + 0.2, `soft ${b} vs crisp ${a}`);
  assert.equal(faces.reblurRatio(new Float32Array(48 * 48).fill(9), 48, 48), 1);
  assert.ok(Number.isNaN(faces.reblurRatio(new Float32Array(25), 5, 5)));
});

test('shrinkArea() keeps the mean and averages exact spans', () => {
  const src = Float32Array.from({ length: 36 }, (_, i) => i % 6);
  const s = faces.shrinkArea(src, 6, 6, 0.5);
  assert.equal(s.width, 3);
  assert.deepEqual(Array.from(s.data.slice(0, 3)), [0.5, 2.5, 4.5]);
  const t = faces.shrinkArea(src, 6, 6, 2 / 3);
  assert.equal(t.width, 4);
  const mean = (a: Float32Array) => a.reduce((x, y) => x + y, 0) / a.length;
  assert.ok(Math.abs(mean(t.data) - mean(src)) < 1e-5);
});

test('nativeSharpness() is scale-aware: a large face shrunk to the reference, a downscaled sharp face stays sharp', () => {
  const big = texture(160, 160, 2);
  const n = faces.nativeSharpness(big, [0, 0, 160, 160], 80, { referenceEyeDistance: 40 });
  assert.equal(n.scale, 0.5);
  assert.equal(n.width, 80);
  // the same pattern at 2/3 of the size (a smaller face, not upsampled) scores no blurrier
  const small = texture(107, 107, 4 / 3);
  const m = faces.nativeSharpness(small, [0, 0, 107, 107], 27);
  assert.equal(m.scale, 1);
  assert.ok(m.blur <= faces.nativeSharpness(texture(160, 160, 2), [0, 0, 160, 160], 40).blur + 0.02);
  const blurred = faces.nativeSharpness(boxBlur(small, 2), [0, 0, 107, 107], 27);
  assert.ok(blurred.blur > m.blur + 0.2, `${blurred.blur} vs ${m.blur}`);
});

test('regionInPhoto() maps the crop region back to the photo, clipped', () => {
  // crop = photo shifted by (10, 20) and scaled 2x: photo = (crop - t) / 2
  const toPhoto = faces.invertAffine([2, 0, 10, 0, 2, 20]);
  assert.deepEqual(faces.regionInPhoto(toPhoto, [30, 40, 70, 80], 100, 100), [10, 10, 30, 30]);
  assert.deepEqual(faces.regionInPhoto(toPhoto, [0, 0, 300, 300], 100, 100), [0, 0, 100, 100]);
});

test('shrinkArea() stays inside the source for factors whose spans round past the end', () => {
  for (const [w, f] of [[77, 0.9337068160597571], [71, 0.93], [100, 0.41], [13, 0.99]] as const) {
    const s = faces.shrinkArea(new Float32Array(w * w).fill(7), w, w, f);
    assert.ok(s.data.every((v) => Math.abs(v - 7) < 1e-4), `w ${w} f ${f}`);
  }
});

// --- grayscale and toned photos (toneSpread) ---

/** A colourful test card: hue varies along x, lightness along y. */
const card = (x: number, y: number): [number, number, number] => {
  const v = 40 + (y / 63) * 180;
  const h = (x / 64) * 2 * Math.PI;
  return [0, 1, 2].map((k) => Math.round(Math.min(255, Math.max(0, v + 60 * Math.cos(h - (k * 2 * Math.PI) / 3))))) as [number, number, number];
};
const luma = (p: [number, number, number]): number => 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
const clip = (v: number): number => Math.round(Math.min(255, Math.max(0, v)));
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];
const sepia = (p: [number, number, number]): [number, number, number] =>
  SEPIA.map((row) => clip(0.85 * (row[0] * p[0] + row[1] * p[1] + row[2] * p[2]) + 18)) as [number, number, number];
const cyanotype = (p: [number, number, number]): [number, number, number] => {
  const g = luma(p) / 255;
  return [clip(20 + 205 * g), clip(45 + 193 * g), clip(95 + 153 * g)];
};

test('toneSpread() puts grayscale and toned pictures near 0 and a colourful one far above', () => {
  const o = faces.FILTER_DEFAULTS.minOffTone;
  const colour = faces.toneSpread(image(64, 64, card));
  assert.ok(colour.offTone > 0.5, `colour ${colour.offTone}`);
  const gray = faces.toneSpread(image(64, 64, (x, y) => { const g = clip(luma(card(x, y))); return [g, g, g]; }));
  assert.ok(gray.offTone === 0 && gray.chroma < 0.01, JSON.stringify(gray));
  for (const [name, tone] of [['sepia', sepia], ['cyanotype', cyanotype]] as const) {
    const img = image(64, 64, (x, y) => tone(card(x, y)));
    const t = faces.toneSpread(img);
    // clearly coloured (the colourfulness test lets it through) but one tone per lightness
    assert.ok(t.chroma > 10 && faces.measureQuality(img, [0, 0, 64, 64]).colorfulness > faces.GRAYSCALE_THRESHOLD, `${name} ${JSON.stringify(t)}`);
    assert.ok(t.offTone < o, `${name} offTone ${t.offTone} >= ${o}`);
  }
  // every step-th pixel is sampled: a 1x1 image and a one-channel image work
  assert.equal(faces.toneSpread(image(1, 1, () => [200, 100, 50])).offTone, 0);
  assert.equal(faces.toneSpread({ data: new Uint8Array(16).fill(90), width: 4, height: 4, channels: 1 }).offTone, 0);
});

test('toneSpread() on CelebA photos: colour far above filters.minOffTone, their grayscale and cyanotype JPEGs below, most sepia ones below', { skip: celebaMissing }, async () => {
  const o = faces.FILTER_DEFAULTS.minOffTone;
  const decode = async (input: Buffer | string): Promise<faces.RgbImage> => {
    const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  };
  const map = (img: faces.RgbImage, f: (p: [number, number, number]) => [number, number, number]): faces.RgbImage => {
    const out = new Uint8Array(img.data.length);
    for (let i = 0; i < out.length; i += 3) out.set(f([img.data[i], img.data[i + 1], img.data[i + 2]]), i);
    return { ...img, data: out };
  };
  const jpeg = async (img: faces.RgbImage, quality: number): Promise<faces.RgbImage> =>
    decode(await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer());
  const gray = (p: [number, number, number]): [number, number, number] => { const g = clip(luma(p)); return [g, g, g]; };
  const files = fs.readdirSync(CELEBA).filter((f) => f.endsWith('.jpg')).sort().slice(0, 8);
  const sepiaOff: number[] = [];
  for (const file of files) {
    const photo = await decode(path.join(CELEBA, file));
    const colour = faces.toneSpread(photo).offTone;
    assert.ok(colour > 3 * o, `${file} colour ${colour}`);
    for (const [name, tone] of [['grayscale', gray], ['cyanotype', cyanotype]] as const) {
      const t = faces.toneSpread(await jpeg(map(photo, tone), 75)).offTone;
      assert.ok(t < o, `${file} ${name} (JPEG q75) offTone ${t} >= ${o}`);
    }
    sepiaOff.push(faces.toneSpread(await jpeg(map(photo, sepia), 75)).offTone);
  }
  // full sepia through JPEG is the hard case (the calibration flags 97% of such crops)
  assert.ok(sepiaOff.filter((v) => v < o).length >= 6, `sepia offTone ${sepiaOff.map((v) => v.toFixed(4))}`);
  assert.ok([...sepiaOff].sort((a, b) => a - b)[4] < o / 2, `sepia offTone ${sepiaOff.map((v) => v.toFixed(4))}`);
});

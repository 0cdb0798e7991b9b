/**
 * Calibration of the grayscale/toned photo test (faces.toneSpread) on CelebA: for photos measured
 * by a preparation (its records.jsonl gives the eye-alignment transform, so no detection runs),
 * the real colour photo and the same photo made into a grayscale, sepia (three strengths),
 * cyanotype, selenium and warm split-tone print, each saved as a JPEG of a quality drawn from
 * 30-95 (seeded), then aligned into the 256 px crop the preparation measures. The colour photo is
 * also recompressed at JPEG quality 30-50 (old uploads).
 *
 * The share of crop pixels off the single tone (offTone) is tuned on the even CelebA identities:
 * for each pixel distance tried, the threshold is the --recall (99.5%) quantile of the toned crops;
 * the distance that flags the fewest colour crops wins (CelebA itself holds a few black-and-white
 * and sepia photos, listed at the end to look at, so the colour crops cannot set the threshold). The rates are then printed on the odd identities (held out), with the former colourfulness
 * test (< 6) for comparison.
 *
 *   node build/scripts/calibrate-toned.js --records <records.jsonl> [--limit 2400] [--recall 0.995]
 *     [--images <celeba/images>] [--wikisim <simulated wiki_crop folder> --wikisim-records <records.jsonl>]
 *
 * --wikisim also measures the crops of a preparation run on the simulated WIKI folder
 * (scripts/simulate-wiki.ts) and prints the flagged share per simulated look.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { cluster, faces, io, stages } from 'facetype';
import { arg, celebaImages } from './bench-common';

type Rgb = faces.RgbImage;
type Tone = (g: number, r: number, gr: number, b: number) => [number, number, number];

const SEPIA = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];
const clip = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
const lerp = (lo: number[], hi: number[]) => (g: number): [number, number, number] => [0, 1, 2].map((k) => lo[k] + ((hi[k] - lo[k]) * g) / 255) as [number, number, number];
/** sepia as scripts/simulate-wiki.ts makes it (recomb, then x0.85 + 18), mixed with grayscale at `s`. */
const sepia = (s: number): Tone => (g, r, gr, b) =>
  SEPIA.map((row) => 0.85 * (s * (row[0] * r + row[1] * gr + row[2] * b) + (1 - s) * g) + 18) as [number, number, number];

/** The toned kinds (the colour photo is the other kind); g is the photo's luma. */
const TONES: [string, Tone][] = [
  ['grayscale', (g) => [g, g, g]],
  ['sepia 100%', sepia(1)],
  ['sepia 50%', sepia(0.5)],
  ['sepia 25%', sepia(0.25)],
  ['cyanotype', lerp([20, 45, 95], [225, 238, 248])],
  ['selenium', lerp([45, 28, 38], [248, 244, 236])],
  ['warm split', (g) => (g < 128 ? lerp([55, 38, 22], [150, 138, 120])(g * 2) : lerp([150, 138, 120], [250, 242, 225])((g - 128) * 2))],
];
const COLOUR = ['colour', 'colour q30-50'];

async function decode(input: Buffer | string): Promise<Rgb> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

async function jpeg(img: Rgb, quality: number): Promise<Rgb> {
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return decode(buf);
}

function toned(img: Rgb, tone: Tone): Rgb {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < img.data.length; i += 3) {
    const r = img.data[i], g = img.data[i + 1], b = img.data[i + 2];
    const [R, G, B] = tone(0.299 * r + 0.587 * g + 0.114 * b, r, g, b);
    out[i] = clip(R);
    out[i + 1] = clip(G);
    out[i + 2] = clip(B);
  }
  return { ...img, data: out };
}

const DISTANCES = [6, 8, 10, 12, 15];

interface Row { file: string; identity: number; kind: string; colorfulness: number; off: number[] }

const pct = (k: number, n: number): string => (n ? `${((100 * k) / n).toFixed(1)}%` : '-');
const quantile = (v: number[], q: number): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const recordsFile = arg('records');
  if (!recordsFile) throw new Error('--records <records.jsonl> is required (a preparation run on CelebA)');
  const limit = Number(arg('limit') ?? 2400);
  const attrs = io.parseCsv(fs.readFileSync(path.join(images, '..', 'attributes.csv'), 'utf8')).rows;
  const identity = new Map(attrs.map((r) => [r.file, Number(r.identity)]));
  const t = faces.DEFAULT_TEMPLATE;
  const region = faces.innerFaceRegion(t.size, t.rightEye, t.leftEye);
  const records = [...stages.readRecords(recordsFile).values()]
    .filter((r) => r.status === 'ok' && r.faces.length > 0 && identity.has(path.basename(r.path)))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .slice(0, limit);
  const rand = cluster.mulberry32(11);
  const rows: Row[] = [];
  const measure = (img: Rgb, transform: faces.Affine): { colorfulness: number; off: number[] } => {
    const crop = faces.warpAffine(img, transform, { width: t.size, height: t.size, fill: 'edge' });
    return {
      colorfulness: faces.measureQuality(crop, region).colorfulness,
      off: DISTANCES.map((d) => faces.toneSpread(crop, { offTone: d }).offTone),
    };
  };
  const t0 = Date.now();
  for (const rec of records) {
    const id = identity.get(path.basename(rec.path)) as number;
    const tr = rec.faces[0].transform;
    const photo = await decode(rec.path);
    rows.push({ file: path.basename(rec.path), identity: id, kind: 'colour', ...measure(photo, tr) });
    rows.push({ file: path.basename(rec.path), identity: id, kind: 'colour q30-50', ...measure(await jpeg(photo, 30 + Math.floor(rand() * 21)), tr) });
    for (const [kind, tone] of TONES) rows.push({ file: path.basename(rec.path), identity: id, kind, ...measure(await jpeg(toned(photo, tone), 30 + Math.floor(rand() * 66)), tr) });
  }
  console.log(`${records.length} CelebA photos (${rows.length} crops) measured in ${Math.round((Date.now() - t0) / 1000)} s`);

  const even = rows.filter((r) => r.identity % 2 === 0);
  const odd = rows.filter((r) => r.identity % 2 === 1);
  const kinds = [...COLOUR, ...TONES.map(([k]) => k)];
  // tuning on the even identities. CelebA's own photos include some black-and-white and sepia
  // prints (see the list printed below), so the colour crops cannot set the threshold: it is the
  // --recall quantile of the toned crops (all kinds pooled), and the distance that flags the
  // fewest colour crops at its threshold wins.
  const want = Number(arg('recall') ?? 0.995);
  let best = { d: 0, threshold: 0, colour: Infinity };
  console.log(`\nTuning (even identities, ${even.filter((r) => r.kind === 'colour').length} photos): threshold = the ${want * 100}% quantile of the toned crops' offTone`);
  for (let k = 0; k < DISTANCES.length; k++) {
    const threshold = quantile(even.filter((r) => !COLOUR.includes(r.kind)).map((r) => r.off[k]), want);
    const colour = even.filter((r) => COLOUR.includes(r.kind));
    const flaggedColour = colour.filter((r) => r.off[k] <= threshold).length / colour.length;
    const q = (kind: string, p: number) => quantile(even.filter((r) => r.kind === kind).map((r) => r.off[k]), p).toFixed(3);
    console.log(
      `  distance ${DISTANCES[k]}: threshold ${threshold.toFixed(4)}, colour crops at or below ${pct(flaggedColour, 1)}; ` +
        `offTone colour p1/p2/p50 ${q('colour', 0.01)}/${q('colour', 0.02)}/${q('colour', 0.5)}, ` +
        `sepia 100% p50/p99 ${q('sepia 100%', 0.5)}/${q('sepia 100%', 0.99)}, cyanotype p99 ${q('cyanotype', 0.99)}`,
    );
    if (flaggedColour < best.colour) best = { d: DISTANCES[k], threshold, colour: flaggedColour };
  }
  const k = DISTANCES.indexOf(best.d);
  const libK = DISTANCES.indexOf(faces.TONE_SPREAD_DEFAULTS.offTone);
  console.log(`chosen: offTone distance ${best.d}, threshold ${best.threshold.toFixed(4)}`);
  console.log(`(the library's defaults: distance ${faces.TONE_SPREAD_DEFAULTS.offTone}, filters.minOffTone ${faces.FILTER_DEFAULTS.minOffTone})`);

  const report = (label: string, set: Row[], flag: (r: Row) => boolean, idx: number): void => {
    console.log(`\n${label}`);
    console.log(`  ${'kind'.padEnd(14)} ${'photos'.padStart(6)}  ${'flagged'.padStart(8)}  ${'colourfulness < 6'.padStart(17)}  offTone p1/p50/p99`);
    for (const kind of kinds) {
      const v = set.filter((r) => r.kind === kind);
      const q = (p: number) => quantile(v.map((r) => r.off[idx]), p).toFixed(4);
      console.log(
        `  ${kind.padEnd(14)} ${String(v.length).padStart(6)}  ${pct(v.filter(flag).length, v.length).padStart(8)}  ` +
          `${pct(v.filter((r) => r.colorfulness < faces.GRAYSCALE_THRESHOLD).length, v.length).padStart(17)}  ${q(0.01)}/${q(0.5)}/${q(0.99)}`,
      );
    }
  };
  report(`Held out (odd identities), tuned threshold: flagged = offTone <= ${best.threshold.toFixed(4)} or colourfulness < 6`, odd,
    (r) => r.off[k] <= best.threshold || r.colorfulness < faces.GRAYSCALE_THRESHOLD, k);
  if (libK >= 0) {
    const libT = faces.FILTER_DEFAULTS.minOffTone;
    const flagged = (r: Row) => r.off[libK] < libT || r.colorfulness < faces.GRAYSCALE_THRESHOLD;
    report(`Held out (odd identities), the library's defaults (distance ${faces.TONE_SPREAD_DEFAULTS.offTone}, minOffTone ${libT}): flagged`, odd, flagged, libK);
    report(`Tuning half (even identities), the library's defaults: flagged`, even, flagged, libK);
    // CelebA holds some black-and-white and toned photos: the flagged colour photos, to look at
    const listed = rows.filter((r) => r.kind === 'colour' && flagged(r));
    console.log(`\nCelebA 'colour' photos flagged with the library's defaults (${listed.length}): file offTone colourfulness`);
    for (const r of listed) console.log(`  ${r.file} ${r.off[libK].toFixed(4)} ${r.colorfulness.toFixed(1)}`);
  }

  const sim = arg('wikisim');
  const simRecords = arg('wikisim-records');
  if (sim && simRecords && libK >= 0) {
    const plan = io.parseCsv(fs.readFileSync(path.join(sim, 'simulated.csv'), 'utf8')).rows;
    const look = new Map(plan.map((p) => [p.id, p.look]));
    const counts = new Map<string, { n: number; flagged: number; gray: number }>();
    for (const rec of stages.readRecords(simRecords).values()) {
      if (rec.status !== 'ok' || rec.faces.length === 0 || !look.has(rec.id)) continue;
      const m = measure(await decode(rec.path), rec.faces[0].transform);
      const c = counts.get(look.get(rec.id) as string) ?? { n: 0, flagged: 0, gray: 0 };
      c.n++;
      if (m.off[libK] < faces.FILTER_DEFAULTS.minOffTone || m.colorfulness < faces.GRAYSCALE_THRESHOLD) c.flagged++;
      if (m.colorfulness < faces.GRAYSCALE_THRESHOLD) c.gray++;
      counts.set(look.get(rec.id) as string, c);
    }
    console.log(`\nSimulated WIKI (${sim}), main faces, the library's defaults: flagged / colourfulness < 6 alone`);
    for (const [lk, c] of counts) console.log(`  ${lk.padEnd(10)} ${String(c.n).padStart(5)}  ${pct(c.flagged, c.n).padStart(6)}  ${pct(c.gray, c.n).padStart(6)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

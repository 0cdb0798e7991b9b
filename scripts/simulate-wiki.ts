/**
 * npm run simulate:wiki: a simulated WIKI folder (the shape of IMDB-WIKI's wiki_crop/) built from
 * CelebA photos, for checking the preparation on a WIKI-like mix when wiki_crop.tar cannot be had.
 *
 *   node build/scripts/simulate-wiki.js [--images <celeba/images>] [--out <dir>] [--n 3000] [--seed 7]
 *
 * Writes <out>/NN/<id>_<dob>_<year>.jpg (NN = the id's last two digits, as in wiki_crop), <out>/wiki.mat
 * (struct `wiki`, 1xN double fields dob, photo_taken, gender, face_score, second_face_score and 1xN
 * cells full_path, name (char rows) and face_location (1x4 double), as in the real file) and
 * <out>/simulated.csv (what each photo was made from and how; not read by the product). Default
 * <out>: <tmp>/facetype-wikisim/raw/wiki_crop, so `npm start -- --source wiki --data
 * <tmp>/facetype-wikisim` (or sources.wikiSource({ root: <out>, rawDir: <any> })) reads it: a wiki_crop folder
 * with wiki.mat and no wiki_crop.tar beside it is used as it is, nothing is downloaded.
 *
 * Photos: n CelebA photos of n different identities (one photo each, like most WIKI people),
 * chosen by the seed; the same seed gives the same folder byte for byte. Counts of every kind below
 * are exact (round(share * n), assigned to shuffled photos), only the values within a kind are drawn:
 * - size: long side 60-150 px for 8% of the photos, 150-400 px for 72%, 400-700 px for 17%,
 *   700-1000 px for 3% (log-uniform within each band; the real WIKI crops' median face box is
 *   127 px wide, i.e. a crop of ~230 px). CelebA's photos are 178x218, so every photo over 218 px
 *   (about 3/4 of them) is an UPSCALED CelebA photo: larger but with no more detail, softer than a
 *   real WIKI photo of that size. Photos under ~100 px have eye distances under the preparation's
 *   16 px and are expected to be rejected as too small.
 * - old photos: 8% grayscale (one channel) and 7% sepia (toned, contrast lowered), 15% together,
 *   with photo_taken 1900-1975; the colour photos are taken 1976-1999 (25%) or 2000-2015 (75%).
 * - JPEG quality 30-50 for 15% of the photos, 75-95 for the others.
 * - border: 10% get padding of 5-25% of the width/height on each side (white, cream, grey or black,
 *   like a scanned print or a letterboxed picture), before the resize: their faces are smaller.
 * - metadata: gender from CelebA's Male (1 male, 0 female), except 4% unknown (NaN; the real file
 *   has 2,643 of 62,328); age at photo 20-34 for CelebA's Young, else 40-70 (uniform whole years),
 *   dob drawn so that the dataset's own age rule (1 July of photo_taken minus dob, see
 *   sources.wikiAge) gives exactly that age; face_score -Inf (no face found by the dataset's
 *   detector; face_location [1 1 w h]) for 8% and a second face (second_face_score 0.75-3) for 5%
 *   of the others, so the metadata pre-filter acts (the real file has 29% -Inf and 9% second faces;
 *   here fewer, so that most photos reach the detector). Other face_scores ~ N(3.2, 1.2) clipped to
 *   0.75-7 (the real ones run 0.73-7.1, median 3.2). The photo itself is still a CelebA face in the
 *   -Inf and second-face rows: only the metadata says otherwise.
 * - face_location: CelebA's aligned face box (about x 44-134, y 72-172 of 178x218) carried through
 *   the padding and resize, 1-based pixels of the simulated photo.
 * - name: 'CelebA identity <identity>'.
 * Not simulated: faces cut by the crop edge (wiki_crop pads nothing: crops are clipped at the
 * photo border), impossible dobs, drawings and non-photos, real group photos.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { cluster, projectRoot, sources } from 'facetype';
import { cell, num, str, struct, writeMat, type WValue } from '../test/support/mat-writer';

export interface SimulateWikiOptions {
  /** CelebA images folder; its attributes.csv is read from beside it unless given. */
  images: string;
  attributes?: string;
  /** The folder to write (becomes the wiki_crop root). Must not exist or be empty. */
  out: string;
  n?: number;
  seed?: number;
  /** JPEG encodes in flight (default 2). */
  concurrency?: number;
}

export type Look = 'colour' | 'grayscale' | 'sepia';

/** One simulated photo: what it was made from and how. */
export interface SimulatedPhoto {
  /** full_path in wiki.mat, e.g. '17/10000217_1981-05-05_2009.jpg'. */
  id: string;
  celeba: string;
  identity: string;
  male: boolean;
  young: boolean;
  blurry: boolean;
  gender: 'male' | 'female' | null;
  age: number;
  dob: string;
  photoTaken: number;
  longSide: number;
  width: number;
  height: number;
  /** True when the photo is larger than CelebA's 218 px (upscaled, softer than its size suggests). */
  upscaled: boolean;
  look: Look;
  jpegQuality: number;
  border: boolean;
  /** Padding before the resize, fractions of CelebA's width/height: top, right, bottom, left (0 without border). */
  padding: [number, number, number, number];
  /** Colour of the padding. */
  borderColour: { r: number; g: number; b: number };
  faceScore: number;
  /** NaN when there is no second face. */
  secondFaceScore: number;
  faceLocation: [number, number, number, number];
}

export const SIZE_BANDS: [number, number, number][] = [
  [0.08, 60, 150],
  [0.72, 150, 400],
  [0.17, 400, 700],
  [0.03, 700, 1000],
];
export const SHARES = { grayscale: 0.08, sepia: 0.07, lowQuality: 0.15, border: 0.1, unknownGender: 0.04, noFace: 0.08, secondFace: 0.05 };
/** CelebA's aligned face box in its 178x218 photos (approximate, 0-based pixels). */
const CELEBA_FACE_BOX = [44, 72, 134, 172];
const CELEBA_SIZE = [178, 218];
const SEPIA = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];
const BORDER_COLOURS = [
  { r: 255, g: 255, b: 255 },
  { r: 242, g: 234, b: 214 },
  { r: 128, g: 128, b: 128 },
  { r: 0, g: 0, b: 0 },
];

function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Exactly round(share * n) of the indices 0..n-1 (after the ones already taken), as a set. */
function pick(order: number[], start: number, share: number, n: number): [Set<number>, number] {
  const count = Math.round(share * n);
  return [new Set(order.slice(start, start + count)), start + count];
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** A dob whose age at 1 July of photoTaken is exactly `age` under the dataset's rule (checked). */
function dobFor(age: number, photoTaken: number, rand: () => number): { dob: string; datenum: number } {
  // born after 1 July of (photoTaken - age - 1) and on or before 1 July of (photoTaken - age)
  const start = Date.UTC(photoTaken - age - 1, 6, 2);
  const end = Date.UTC(photoTaken - age, 6, 1);
  for (let tries = 0; tries < 20; tries++) {
    const t = start + Math.floor(rand() * ((end - start) / 86400000 + 1)) * 86400000;
    const d = new Date(t);
    const datenum = sources.matlabDatenum(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (sources.wikiAge(datenum, photoTaken).age === age) return { dob: iso(d), datenum };
  }
  throw new Error(`no dob gives age ${age} in ${photoTaken}`);
}

/** Reads CelebA's attributes.csv: file -> identity, Male, Young, Blurry. */
function readCeleba(file: string): { file: string; identity: string; male: boolean; young: boolean; blurry: boolean }[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(',');
  const col = (name: string): number => header.indexOf(name);
  const [iFile, iId, iMale, iYoung, iBlurry] = ['file', 'identity', 'Male', 'Young', 'Blurry'].map(col);
  if ([iFile, iId, iMale, iYoung, iBlurry].some((i) => i < 0)) throw new Error(`${file}: needs file, identity, Male, Young and Blurry columns`);
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return { file: c[iFile], identity: c[iId], male: Number(c[iMale]) > 0, young: Number(c[iYoung]) > 0, blurry: Number(c[iBlurry]) > 0 };
  });
}

/** Plans the simulated photos (no file is written): deterministic for (CelebA list, n, seed). */
export function planWiki(celebaAttributes: string, images: string, n: number, seed: number): SimulatedPhoto[] {
  const rand = cluster.mulberry32(seed);
  const all = readCeleba(celebaAttributes).filter((r) => fs.existsSync(path.join(images, r.file)));
  const byIdentity = new Map<string, typeof all>();
  for (const r of all) (byIdentity.get(r.identity) ?? byIdentity.set(r.identity, []).get(r.identity)!).push(r);
  const identities = [...byIdentity.keys()].sort();
  if (n < 1 || n > identities.length) throw new Error(`--n must be 1..${identities.length} (CelebA identities with a photo in ${images})`);
  const chosen = shuffle(identities, rand).slice(0, n).map((id) => {
    const photos = byIdentity.get(id)!.sort((a, b) => (a.file < b.file ? -1 : 1));
    return photos[Math.floor(rand() * photos.length)];
  });
  // exact counts per kind, on shuffled photos
  const order = shuffle([...Array(n).keys()], rand);
  let at = 0;
  const bandOf = new Array<number>(n);
  for (let b = 0, start = 0; b < SIZE_BANDS.length; b++) {
    const count = b === SIZE_BANDS.length - 1 ? n - start : Math.round(SIZE_BANDS[b][0] * n);
    for (const i of order.slice(start, start + count)) bandOf[i] = b;
    start += count;
  }
  const o2 = shuffle([...Array(n).keys()], rand);
  let gray: Set<number>, sepia: Set<number>;
  [gray, at] = pick(o2, 0, SHARES.grayscale, n);
  [sepia, at] = pick(o2, at, SHARES.sepia, n);
  const [lowQ] = pick(shuffle([...Array(n).keys()], rand), 0, SHARES.lowQuality, n);
  const [border] = pick(shuffle([...Array(n).keys()], rand), 0, SHARES.border, n);
  const [unknownGender] = pick(shuffle([...Array(n).keys()], rand), 0, SHARES.unknownGender, n);
  const o3 = shuffle([...Array(n).keys()], rand);
  const [noFace, next] = pick(o3, 0, SHARES.noFace, n);
  const [second] = pick(o3, next, SHARES.secondFace, n);
  const ids = new Set<number>();
  return chosen.map((c, i) => {
    let wid: number;
    do wid = int(rand, 100000, 49999999); while (ids.has(wid));
    ids.add(wid);
    const look: Look = gray.has(i) ? 'grayscale' : sepia.has(i) ? 'sepia' : 'colour';
    const photoTaken = look !== 'colour' ? int(rand, 1900, 1975) : rand() < 0.25 ? int(rand, 1976, 1999) : int(rand, 2000, 2015);
    const age = c.young ? int(rand, 20, 34) : int(rand, 40, 70);
    const { dob } = dobFor(age, photoTaken, rand);
    const [, lo, hi] = SIZE_BANDS[bandOf[i]];
    const longSide = Math.round(Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo))));
    // padding (fractions of the CelebA photo's width/height) before the resize
    const pad: [number, number, number, number] = border.has(i)
      ? [0.05 + 0.2 * rand(), 0.05 + 0.2 * rand(), 0.05 + 0.2 * rand(), 0.05 + 0.2 * rand()]
      : [0, 0, 0, 0]; // top, right, bottom, left
    const padded = [CELEBA_SIZE[0] * (1 + pad[1] + pad[3]), CELEBA_SIZE[1] * (1 + pad[0] + pad[2])];
    const scale = longSide / Math.max(padded[0], padded[1]);
    const width = Math.max(1, Math.round(padded[0] * scale));
    const height = Math.max(1, Math.round(padded[1] * scale));
    const fx = (x: number): number => Math.round(((x + pad[3] * CELEBA_SIZE[0]) * scale + 1) * 100) / 100;
    const fy = (y: number): number => Math.round(((y + pad[0] * CELEBA_SIZE[1]) * scale + 1) * 100) / 100;
    const faceScore = noFace.has(i) ? -Infinity : Math.round(Math.min(7, Math.max(0.75, 3.2 + 1.2 * normal(rand))) * 1e4) / 1e4;
    const secondFaceScore = second.has(i) ? Math.round((0.75 + 2.25 * rand()) * 1e4) / 1e4 : NaN;
    const faceLocation: [number, number, number, number] = noFace.has(i)
      ? [1, 1, width, height]
      : [fx(CELEBA_FACE_BOX[0]), fy(CELEBA_FACE_BOX[1]), fx(CELEBA_FACE_BOX[2]), fy(CELEBA_FACE_BOX[3])];
    const folder = String(wid % 100).padStart(2, '0');
    return {
      id: `${folder}/${wid}_${dob}_${photoTaken}.jpg`,
      celeba: c.file, identity: c.identity, male: c.male, young: c.young, blurry: c.blurry,
      gender: unknownGender.has(i) ? null : c.male ? 'male' : 'female',
      age, dob, photoTaken, longSide, width, height, upscaled: longSide > CELEBA_SIZE[1],
      look, jpegQuality: lowQ.has(i) ? int(rand, 30, 50) : int(rand, 75, 95), border: border.has(i),
      padding: pad, borderColour: BORDER_COLOURS[int(rand, 0, BORDER_COLOURS.length - 1)],
      faceScore, secondFaceScore, faceLocation,
    };
  });
}

/** Encodes one simulated photo from its CelebA photo. */
async function renderPhoto(p: SimulatedPhoto, images: string, out: string): Promise<void> {
  let img = sharp(path.join(images, p.celeba));
  if (p.border) {
    const [t, r, b, l] = p.padding;
    img = sharp(
      await img
        .extend({
          top: Math.round(t * CELEBA_SIZE[1]), right: Math.round(r * CELEBA_SIZE[0]),
          bottom: Math.round(b * CELEBA_SIZE[1]), left: Math.round(l * CELEBA_SIZE[0]), background: p.borderColour,
        })
        .png()
        .toBuffer(),
    );
  }
  img = img.resize({ width: p.width, height: p.height, fit: 'fill', kernel: 'lanczos3' });
  if (p.look === 'grayscale') img = img.grayscale().toColourspace('b-w'); // a one-channel JPEG (the decoder's grayscale path too)
  else if (p.look === 'sepia') img = img.recomb(SEPIA as [[number, number, number], [number, number, number], [number, number, number]]).linear(0.85, 18);
  const file = path.join(out, ...p.id.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await img.jpeg({ quality: p.jpegQuality }).toFile(file);
}

/** wiki.mat of the plan: every field shaped as in the real file. */
export function wikiMatOf(plan: SimulatedPhoto[]): Buffer {
  const d = (s: string): number => {
    const [y, m, day] = s.split('-').map(Number);
    return sources.matlabDatenum(y, m, day);
  };
  const wiki: WValue = struct({
    dob: num(plan.map((p) => d(p.dob))),
    photo_taken: num(plan.map((p) => p.photoTaken)),
    full_path: cell(plan.map((p) => str(p.id))),
    gender: num(plan.map((p) => (p.gender === null ? NaN : p.gender === 'male' ? 1 : 0))),
    name: cell(plan.map((p) => str(`CelebA identity ${p.identity}`))),
    face_location: cell(plan.map((p) => num(p.faceLocation))),
    face_score: num(plan.map((p) => p.faceScore)),
    second_face_score: num(plan.map((p) => p.secondFaceScore)),
  });
  return writeMat({ wiki }, { compress: true, text: 'MATLAB 5.0 MAT-file, Platform: facetype simulate-wiki (simulated WIKI from CelebA)' });
}

const CSV_COLUMNS: (keyof SimulatedPhoto)[] = [
  'id', 'celeba', 'identity', 'male', 'young', 'blurry', 'gender', 'age', 'dob', 'photoTaken', 'longSide', 'width', 'height',
  'upscaled', 'look', 'jpegQuality', 'border', 'faceScore', 'secondFaceScore',
];

export type SimulatedRow = Omit<SimulatedPhoto, 'padding' | 'borderColour' | 'faceLocation'>;

/** Reads <root>/simulated.csv back (the plan as written, without padding and face box). */
export function readSimulated(root: string): SimulatedRow[] {
  const lines = fs.readFileSync(path.join(root, 'simulated.csv'), 'utf8').split('\n').filter((l) => l);
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    const o: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const v = c[i];
      o[h] = v === 'true' ? true : v === 'false' ? false : v === '' ? null : /^(id|celeba|identity|dob|look|gender)$/.test(h) ? v : Number(v);
    });
    return o as unknown as SimulatedRow;
  });
}

/** Builds the simulated WIKI folder; returns the plan (one entry per photo, in wiki.mat order). */
export async function simulateWiki(options: SimulateWikiOptions): Promise<SimulatedPhoto[]> {
  const n = options.n ?? 3000;
  const seed = options.seed ?? 7;
  const images = path.resolve(options.images);
  const attributes = path.resolve(options.attributes ?? path.join(images, '..', 'attributes.csv'));
  const out = path.resolve(options.out);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new Error(`${out} exists and is not empty`);
  const plan = planWiki(attributes, images, n, seed);
  fs.mkdirSync(out, { recursive: true });
  const concurrency = options.concurrency ?? 2;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < plan.length) await renderPhoto(plan[next++], images, out);
  }));
  fs.writeFileSync(path.join(out, 'wiki.mat'), wikiMatOf(plan));
  const rows = plan.map((p) => CSV_COLUMNS.map((c) => {
    const v = p[c];
    return v === null ? '' : String(v);
  }).join(','));
  fs.writeFileSync(path.join(out, 'simulated.csv'), [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n');
  return plan;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Shares of the plan's kinds, as printed by the script. */
export function describePlan(plan: SimulatedRow[]): string[] {
  const n = plan.length;
  const share = (k: number): string => `${k} (${((100 * k) / n).toFixed(1)}%)`;
  const count = (f: (p: SimulatedRow) => boolean): string => share(plan.filter(f).length);
  const sides = plan.map((p) => p.longSide).sort((a, b) => a - b);
  return [
    `photos             ${n}`,
    `long side          min ${sides[0]}, median ${sides[n >> 1]}, max ${sides[n - 1]} px; 150-400 px: ${count((p) => p.longSide >= 150 && p.longSide <= 400)}`,
    `upscaled (>218 px) ${count((p) => p.upscaled)}`,
    `grayscale / sepia  ${count((p) => p.look === 'grayscale')} / ${count((p) => p.look === 'sepia')}`,
    `JPEG q 30-50       ${count((p) => p.jpegQuality <= 50)}`,
    `border             ${count((p) => p.border)}`,
    `face_score -Inf    ${count((p) => p.faceScore === -Infinity)}`,
    `second face        ${count((p) => !Number.isNaN(p.secondFaceScore))}`,
    `gender m/f/unknown ${count((p) => p.gender === 'male')} / ${count((p) => p.gender === 'female')} / ${count((p) => p.gender === null)}`,
    `CelebA Young       ${count((p) => p.young)} (age 20-34; others 40-70)`,
  ];
}

async function main(): Promise<void> {
  const images = path.resolve(arg('images') ?? path.join(projectRoot(), '..', 'shared', 'data', 'celeba', 'images'));
  if (!fs.existsSync(images)) {
    console.log(`simulate:wiki skipped: ${images} does not exist (needs ../shared/data/celeba)`);
    return;
  }
  const out = path.resolve(arg('out') ?? path.join(os.tmpdir(), 'facetype-wikisim', 'raw', 'wiki_crop'));
  const n = Number(arg('n') ?? 3000);
  const seed = Number(arg('seed') ?? 7);
  const t0 = Date.now();
  const plan = await simulateWiki({ images, out, n, seed });
  console.log(`simulated WIKI: ${plan.length} photos in ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${seed})`);
  for (const line of describePlan(plan)) console.log(`  ${line}`);
  const rows = sources.readWikiMetadata(path.join(out, 'wiki.mat'));
  const pre = sources.prefilterWiki(rows);
  console.log(`wiki.mat read back: ${rows.length} rows, metadata pre-filter keeps ${pre.kept}: ${JSON.stringify(pre.counts)}`);
  if (path.basename(out) === 'wiki_crop' && path.basename(path.dirname(out)) === 'raw') {
    console.log(`run on it: npm start -- --source wiki --data ${path.dirname(path.dirname(out))}`);
  } else {
    console.log(`read it with sources.wikiSource({ root: '${out}', rawDir: '${path.dirname(out)}' })`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

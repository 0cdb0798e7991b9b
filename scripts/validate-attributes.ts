/**
 * Validates the measured attributes (lib/src/features/attributes.ts) against CelebA's labels.
 *
 *   npm run validate:attributes -- <data folder> [--labels <attributes.csv>] [--write]
 *   npm run validate:attributes -- --resized <n> [--labels ...]   (CelebA photos resized to 2/3)
 *   npm run validate:attributes -- --demo                         (the demo photos, sanity)
 *
 * <data folder> holds prepared CelebA faces (processed/faces.json, landmarks) and their age/gender
 * estimates (processed/clusters.csv, or computed with the features stage into that folder;
 * --no-estimates leaves Young and Male out).
 * Faces are split by identity: even identities tune (fit each logistic model and pick its
 * threshold, max F1), odd identities are held out (the AUC reported). --write writes the
 * calibration to lib/src/features/attribute-calibration.ts. Without --write the committed
 * calibration is checked on every face of the folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, features, io, projectPaths, projectRoot, stages } from 'facetype';


const F = features;
const M = faces.MESH468_VALUES;
type MeasureName = features.MeasureName;

/** Which measures each binary trait's logistic model uses, and its CelebA label. */
const GLASSES = ['bridgeEdge', 'rimEdge', 'templeEdge', 'sideEdge', 'cheekTexture'] as MeasureName[];
const FACIAL = ['lipDark', 'lipDarkShare', 'lipTexture', 'lipRed', 'chinDark', 'chinDarkShare', 'chinTexture', 'chinRed', 'jawDark', 'jawDarkShare', 'jawTexture', 'jawRed', 'cheekTexture'] as MeasureName[];
const HAIR = ['hairSkin', 'hairL', 'hairA', 'hairB', 'hairChroma', 'hairDark', 'hairGrey', 'hairBlond', 'hairTexture', 'sideDark', 'hatLine'] as MeasureName[];
const INPUTS: Record<string, MeasureName[]> = { glasses: GLASSES, facialHair: FACIAL, hair: HAIR, hat: [...HAIR, 'templeEdge'] };
export const SPECS: Record<features.BinaryTraitName, { label: string; negate?: boolean; inputs: string }> = {
  glasses: { label: 'Eyeglasses', inputs: 'glasses' },
  beard: { label: 'No_Beard', negate: true, inputs: 'facialHair' },
  moustache: { label: 'Mustache', inputs: 'facialHair' },
  goatee: { label: 'Goatee', inputs: 'facialHair' },
  blackHair: { label: 'Black_Hair', inputs: 'hair' },
  brownHair: { label: 'Brown_Hair', inputs: 'hair' },
  blondHair: { label: 'Blond_Hair', inputs: 'hair' },
  greyHair: { label: 'Gray_Hair', inputs: 'hair' },
  bald: { label: 'Bald', inputs: 'hair' },
  hat: { label: 'Wearing_Hat', inputs: 'hat' },
};

export interface LabelledFaces {
  measures: Float32Array[];
  age: Float32Array;
  male: Float32Array;
  identity: number[];
  labels: Record<string, number[]>;
  seconds: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** ../shared/data/celeba (product code never reads it; this script and the tests do). */
export function celebaDir(): string {
  return path.join(projectRoot(), '..', 'shared', 'data', 'celeba');
}

/** Age and P(male) per face of a data folder: from processed/clusters.csv, else the features stage (cached in the folder). */
async function estimates(dataDir: string, names: string[]): Promise<{ age: Float32Array; male: Float32Array }> {
  if (process.argv.includes('--no-estimates')) return { age: new Float32Array(names.length).fill(NaN), male: new Float32Array(names.length).fill(NaN) };
  const csv = path.join(projectPaths(dataDir).processed, 'clusters.csv');
  if (fs.existsSync(csv)) {
    const { rows } = io.parseCsv(fs.readFileSync(csv, 'utf8'));
    const byFace = new Map(rows.map((r) => [r.face, r]));
    return {
      age: Float32Array.from(names, (n) => Number(byFace.get(n)?.age ?? NaN)),
      male: Float32Array.from(names, (n) => Number(byFace.get(n)?.male ?? NaN)),
    };
  }
  const f = await stages.extractFeatures({ dataDir, onProgress: false, masks: false });
  const column = (j: number) => Float32Array.from(f.names, (_, i) => f.attributes[i * F.ATTRIBUTE_DIM + j]);
  return { age: column(F.ATTRIBUTE.age), male: column(F.ATTRIBUTE.male) };
}

/** Measures every prepared face of a data folder and joins CelebA's labels (by photo file name). */
export async function loadLabelled(dataDir: string, labelsCsv: string, limit = Infinity): Promise<LabelledFaces> {
  const prep = stages.loadPrepared(projectPaths(dataDir));
  const { rows } = io.parseCsv(fs.readFileSync(labelsCsv, 'utf8'));
  const byFile = new Map(rows.map((r) => [r.file, r]));
  const names = prep.file.faces.map((f) => f.name);
  const est = await estimates(dataDir, names);
  const out: LabelledFaces = { measures: [], age: new Float32Array(0), male: new Float32Array(0), identity: [], labels: {}, seconds: 0 };
  const ages: number[] = [], males: number[] = [];
  const wanted = ['Male', 'Young', 'Pale_Skin', ...Object.values(SPECS).map((s) => s.label)];
  for (const w of wanted) out.labels[w] = [];
  let t = 0;
  for (let i = 0; i < prep.images.length && out.measures.length < limit; i++) {
    const lab = byFile.get(path.basename(prep.file.faces[i].photo));
    if (!lab) continue;
    const crop = await F.readCrop(prep.images[i]);
    const t0 = performance.now();
    out.measures.push(F.measureAttributes(crop, prep.mesh468.subarray(i * M, (i + 1) * M)));
    t += performance.now() - t0;
    ages.push(est.age[i]);
    males.push(est.male[i]);
    out.identity.push(Number(lab.identity));
    for (const w of wanted) out.labels[w].push(Number(lab[w]));
  }
  out.age = Float32Array.from(ages);
  out.male = Float32Array.from(males);
  out.seconds = t / 1000;
  return out;
}

const pick = <T>(a: ArrayLike<T>, idx: number[]): T[] => idx.map((i) => a[i]);
const positive = (spec: { label: string; negate?: boolean }, d: LabelledFaces): number[] => d.labels[spec.label].map((v) => (spec.negate ? 1 - v : v));

/** Fits every model on even identities, reports AUC on odd identities. */
export function calibrate(d: LabelledFaces, source: string): features.AttributeCalibration {
  const idx = d.identity.map((_, i) => i);
  const tune = idx.filter((i) => d.identity[i] % 2 === 0);
  const test = idx.filter((i) => d.identity[i] % 2 === 1);
  const binary: Record<string, features.BinaryCalibration> = {};
  const inputs: Record<string, features.Standardisation> = {};
  for (const [name, spec] of Object.entries(SPECS)) {
    const y = positive(spec, d);
    const model = F.fitLogistic(INPUTS[spec.inputs], pick(d.measures, tune), pick(y, tune));
    const score = (ii: number[]) => ii.map((i) => F.logisticScore(model, d.measures[i]));
    const { threshold } = F.bestF1Threshold(score(tune), pick(y, tune));
    inputs[spec.inputs] = { measures: model.measures, mean: model.mean.map((v) => round(v, 4)), sd: model.sd.map((v) => round(v, 4)) };
    binary[name] = {
      label: spec.label, ...(spec.negate ? { negate: true } : {}), inputs: spec.inputs, weights: model.weights.map((v) => round(v, 4)), bias: round(model.bias, 4),
      threshold: round(threshold, 4), auc: round(F.rocAuc(score(test), pick(y, test)), 3),
    };
  }
  const ita = d.measures.map((m) => m[F.MEASURES.indexOf('ita')]);
  const pale = F.bestF1Threshold(pick(ita, tune), pick(d.labels.Pale_Skin, tune));
  return {
    source,
    inputs,
    binary,
    skinAuc: round(F.rocAuc(pick(ita, test), pick(d.labels.Pale_Skin, test)), 3),
    ageAuc: roundOrNull(F.rocAuc(pick(Array.from(d.age, (a) => -a), test), pick(d.labels.Young, test)), 3),
    maleAuc: roundOrNull(F.rocAuc(pick(d.male, test), pick(d.labels.Male, test)), 3),
    paleItaThreshold: round(pale.threshold, 2),
  };
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const roundOrNull = (v: number, digits: number): number | null => (Number.isFinite(v) ? round(v, digits) : null);

export interface AucRow {
  trait: string;
  label: string;
  faces: number;
  positives: number;
  auc: number;
  threshold: number;
  precision: number;
  recall: number;
  /** The calibration's held-out AUC (what decides whether a label may name it). */
  calibrated: number | null;
}

/** AUC, precision and recall of the calibration's traits on faces `idx` of d. */
export function evaluate(d: LabelledFaces, cal: features.AttributeCalibration, idx: number[] = d.identity.map((_, i) => i)): AucRow[] {
  const rows: AucRow[] = [];
  const add = (trait: string, label: string, score: number[], y: number[], threshold: number, calibrated: number | null): void => {
    let tp = 0, fp = 0, fn = 0, n = 0;
    score.forEach((s, i) => {
      if (!Number.isFinite(s)) return;
      n++;
      if (s >= threshold) y[i] ? tp++ : fp++;
      else if (y[i]) fn++;
    });
    rows.push({ trait, label, faces: n, positives: y.filter((v, i) => v && Number.isFinite(score[i])).length, auc: F.rocAuc(score, y), threshold, precision: tp / (tp + fp), recall: tp / (tp + fn), calibrated });
  };
  for (const [name, c] of Object.entries(cal.binary)) {
    const model = F.calibratedModel(cal, name);
    add(name, c.negate ? `not ${c.label}` : c.label, idx.map((i) => F.logisticScore(model, d.measures[i])), pick(positive(c, d), idx), c.threshold, c.auc);
  }
  add('skinTone (ITA)', 'Pale_Skin', idx.map((i) => d.measures[i][F.MEASURES.indexOf('ita')]), pick(d.labels.Pale_Skin, idx), cal.paleItaThreshold, cal.skinAuc);
  add('ageBand (-age)', 'Young', idx.map((i) => -d.age[i]), pick(d.labels.Young, idx), -35, cal.ageAuc);
  add('gender P(male)', 'Male', idx.map((i) => d.male[i]), pick(d.labels.Male, idx), 0.5, cal.maleAuc);
  return rows;
}

export function formatTable(rows: AucRow[]): string {
  const lines = ['| trait | CelebA label | faces | positives | AUC | threshold | precision | recall | in labels (calibrated AUC) |', '|---|---|---:|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '-');
    lines.push(`| ${r.trait} | ${r.label} | ${r.faces} | ${r.positives} | ${r.auc.toFixed(3)} | ${round(r.threshold, 3)} | ${pct(r.precision)} | ${pct(r.recall)} | ${r.calibrated === null ? 'model estimate' : r.calibrated >= F.MIN_LABEL_AUC ? `yes (${r.calibrated})` : `no (${r.calibrated} < ${F.MIN_LABEL_AUC})`} |`);
  }
  return lines.join('\n');
}

/** ITA summary: percentiles and the share of each category. */
export function itaSummary(d: LabelledFaces): string {
  const ita = d.measures.map((m) => m[F.MEASURES.indexOf('ita')]);
  const ok = Float64Array.from(ita.filter(Number.isFinite)).sort();
  const q = (p: number) => ok[Math.min(ok.length - 1, Math.floor(p * ok.length))].toFixed(1);
  const counts = new Array(F.ITA_CATEGORIES.length).fill(0);
  for (const v of ok) counts[F.itaCategory(v)]++;
  const shares = F.ITA_CATEGORIES.map((c, k) => `${c} ${((100 * counts[k]) / ok.length).toFixed(1)}%`).join(', ');
  return `ITA on ${ok.length}/${ita.length} faces (${ita.length - ok.length} NaN): p5 ${q(0.05)}, p25 ${q(0.25)}, median ${q(0.5)}, p75 ${q(0.75)}, p95 ${q(0.95)}; ${shares}`;
}

function writeCalibration(cal: features.AttributeCalibration): string {
  const file = path.join(projectRoot(), 'lib', 'src', 'features', 'attribute-calibration.ts');
  const text = [
    '/**',
    ' * The attribute calibration: written by scripts/validate-attributes.ts (`npm run validate:attributes --',
    ' * <CelebA data folder> --write`); numbers only. Logistic models fitted and thresholds chosen on even',
    ' * CelebA identities, AUC measured on odd identities.',
    ' */',
    "import type { AttributeCalibration } from './attribute-traits';",
    '',
    // arrays of numbers or names on one line each
    `export const ATTRIBUTE_CALIBRATION: AttributeCalibration = ${JSON.stringify(cal, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`)};`,
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

/** Resizes n CelebA photos of odd (held-out) identities to `scale` into a temporary folder and prepares them. */
async function resizedSample(labelsCsv: string, n: number, scale: number): Promise<string> {
  const root = path.join(os.tmpdir(), `facetype-celeba-resized-${Math.round(scale * 100)}`);
  const images = path.join(root, 'images');
  fs.mkdirSync(images, { recursive: true });
  const { rows } = io.parseCsv(fs.readFileSync(labelsCsv, 'utf8'));
  const src = path.join(path.dirname(labelsCsv), 'images');
  for (const r of rows.filter((r) => Number(r.identity) % 2 === 1).slice(0, n)) {
    const out = path.join(images, r.file);
    if (fs.existsSync(out)) continue;
    const meta = await sharp(path.join(src, r.file)).metadata();
    await sharp(path.join(src, r.file)).resize(Math.round((meta.width as number) * scale), Math.round((meta.height as number) * scale)).jpeg({ quality: 95 }).toFile(out);
  }
  const data = path.join(root, 'data');
  await stages.prepareFaces({ source: images, dataDir: data, onProgress: false });
  return data;
}

async function main(): Promise<void> {
  const labelsCsv = path.resolve(arg('labels') ?? path.join(celebaDir(), 'attributes.csv'));
  if (process.argv.includes('--demo')) {
    const data = path.join(os.tmpdir(), 'facetype-attributes-demo');
    await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
    const prep = stages.loadPrepared(projectPaths(data));
    const est = await estimates(data, prep.file.faces.map((f) => f.name));
    const measures = new Float32Array(prep.images.length * F.MEASURE_DIM);
    for (let i = 0; i < prep.images.length; i++) measures.set(F.measureAttributes(await F.readCrop(prep.images[i]), prep.mesh468.subarray(i * M, (i + 1) * M)), i * F.MEASURE_DIM);
    const traits = F.buildTraits({ measures, age: est.age, male: est.male }, F.ATTRIBUTE_CALIBRATION);
    console.log(`demo photos: ${prep.images.length} faces`);
    console.table(prep.file.faces.map((f, i) => Object.fromEntries([['face', f.name], ...traits.map((t) => [t.name, t.kind === 'category' ? (t.categories as string[])[t.values[i]] ?? 'NaN' : t.values[i]])])));
    return;
  }
  if (!fs.existsSync(labelsCsv)) {
    console.log(`validation skipped: ${labelsCsv} does not exist (needs ../shared/data/celeba)`);
    return;
  }
  const resized = arg('resized');
  const dataDir = resized ? await resizedSample(labelsCsv, Number(resized), 2 / 3) : process.argv[2];
  if (!dataDir || dataDir.startsWith('--')) throw new Error('usage: validate-attributes <data folder> [--labels <attributes.csv>] [--write] | --resized <n> | --demo');
  const d = await loadLabelled(path.resolve(dataDir), labelsCsv);
  console.log(`${d.measures.length} labelled faces from ${dataDir}; measures ${((1000 * d.seconds) / d.measures.length).toFixed(2)} ms/face`);
  console.log(itaSummary(d));
  if (process.argv.includes('--write')) {
    const cal = calibrate(d, `CelebA, ${d.measures.length} faces kept by the pipeline, tuned on even identities, AUC on odd identities`);
    console.log(`calibration written to ${writeCalibration(cal)}`);
    const held = d.identity.map((_, i) => i).filter((i) => d.identity[i] % 2 === 1);
    console.log(`\nHeld-out half (odd identities, ${held.length} faces):\n${formatTable(evaluate(d, cal, held))}`);
  } else {
    console.log(`\nCommitted calibration on every face of ${dataDir}:\n${formatTable(evaluate(d, F.ATTRIBUTE_CALIBRATION))}`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { features as F, io, stages } from 'facetype';
import { SPECS, celebaDir, evaluate, formatTable, loadLabelled } from '../../scripts/validate-attributes';

const MESH = Float32Array.from((JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'features', 'fixtures', 'mean-mesh.json'), 'utf8')) as { points: number[] }).points);
const S = 256;
type Rgb = [number, number, number];
const pt = (i: number): [number, number] => [MESH[2 * i], MESH[2 * i + 1]];

/** A drawn face: background, a face-oval-sized ellipse of skin (given Lab), dark eyes and red lips at the mesh's places. */
function drawFace(skinLab: [number, number, number], background: Rgb = [40, 90, 160]): { data: Uint8Array; width: number; height: number; channels: number } {
  const data = new Uint8Array(S * S * 3);
  const skin = F.labToSrgb(...skinLab);
  const [cx, cy] = [(pt(234)[0] + pt(454)[0]) / 2, (pt(10)[1] + pt(152)[1]) / 2];
  const [rx, ry] = [(pt(454)[0] - pt(234)[0]) / 2, (pt(152)[1] - pt(10)[1]) / 2];
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const inFace = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      data.set(inFace ? skin : background, (y * S + x) * 3);
    }
  }
  const img = { data, width: S, height: S, channels: 3 };
  for (const [a, b] of [[33, 133], [362, 263]]) fillRect(img, pt(a)[0], pt(159)[1] - 3, pt(b)[0], pt(145)[1] + 3, [60, 45, 40]);
  fillRect(img, pt(61)[0], pt(0)[1] + 2, pt(291)[0], pt(17)[1] - 2, [170, 60, 60]);
  return img;
}

function fillRect(img: { data: Uint8Array }, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  for (let y = Math.max(0, Math.round(y0)); y <= Math.min(S - 1, Math.round(y1)); y++) {
    for (let x = Math.max(0, Math.round(x0)); x <= Math.min(S - 1, Math.round(x1)); x++) img.data.set(c, (y * S + x) * 3);
  }
}

const measure = (img: ReturnType<typeof drawFace>) => F.measureAttributes(img, MESH);
const value = (row: Float32Array, name: F.MeasureName) => row[F.MEASURES.indexOf(name)];
const score = (name: F.BinaryTraitName, row: Float32Array) => F.logisticScore(F.calibratedModel(F.ATTRIBUTE_CALIBRATION, name), row);

test('skin patches of known Lab give their ITA within 1.5 degrees and the standard category', () => {
  for (const [L, b, category] of [[75, 12, 'very light'], [65, 14, 'light'], [60, 14, 'intermediate'], [55, 16, 'tan'], [45, 18, 'brown'], [22, 14, 'dark']] as const) {
    const row = measure(drawFace([L, 8, b]));
    const expected = (Math.atan((L - 50) / b) * 180) / Math.PI;
    assert.ok(Math.abs(value(row, 'ita') - expected) < 1.5, `L*=${L} b*=${b}: ITA ${value(row, 'ita')} vs ${expected}`);
    assert.equal(F.ITA_CATEGORIES[F.itaCategory(value(row, 'ita'))], category);
  }
});

test('ITA ignores specular highlights and shadow spots on the cheeks, and is NaN for a greyscale face', () => {
  const img = drawFace([60, 10, 16]);
  for (const i of [205, 425]) fillRect(img, pt(i)[0] - 3, pt(i)[1] - 3, pt(i)[0] + 3, pt(i)[1] + 3, [255, 255, 255]);
  fillRect(img, pt(116)[0], pt(116)[1], pt(116)[0] + 4, pt(116)[1] + 4, [10, 8, 8]);
  const expected = (Math.atan(10 / 16) * 180) / Math.PI;
  assert.ok(Math.abs(value(measure(img), 'ita') - expected) < 1.5, `ITA ${value(measure(img), 'ita')} vs ${expected}`);
  const grey = drawFace([60, 0, 0], [100, 100, 100]);
  assert.ok(Number.isNaN(value(measure(grey), 'ita')));
});

test('a dark frame across the eyes and the nose bridge reads as glasses; the bare face does not', () => {
  const plain = drawFace([65, 10, 15]);
  const glasses = drawFace([65, 10, 15]);
  const frame: Rgb = [20, 20, 20];
  for (const [a, b] of [[33, 133], [362, 263]]) {
    const [x0, x1] = [pt(a)[0] - 6, pt(b)[0] + 6];
    const [y0, y1] = [pt(159)[1] - 10, pt(145)[1] + 12];
    fillRect(glasses, x0, y0, x1, y0 + 2, frame);
    fillRect(glasses, x0, y1 - 2, x1, y1, frame);
    fillRect(glasses, x0, y0, x0 + 2, y1, frame);
    fillRect(glasses, x1 - 2, y0, x1, y1, frame);
  }
  fillRect(glasses, pt(133)[0], pt(168)[1] - 1, pt(362)[0], pt(168)[1] + 1, frame);
  fillRect(glasses, pt(234)[0], pt(159)[1] - 9, pt(33)[0] - 6, pt(159)[1] - 8, frame);
  fillRect(glasses, pt(263)[0] + 6, pt(386)[1] - 9, pt(454)[0], pt(386)[1] - 8, frame);
  const [p, g] = [measure(plain), measure(glasses)];
  assert.ok(value(g, 'bridgeEdge') > value(p, 'bridgeEdge') + 20, `bridge ${value(g, 'bridgeEdge')} vs ${value(p, 'bridgeEdge')}`);
  const t = F.ATTRIBUTE_CALIBRATION.binary.glasses.threshold;
  assert.ok(score('glasses', g) >= t && score('glasses', p) < t, `glasses scores ${score('glasses', g)} / ${score('glasses', p)} vs threshold ${t}`);
});

test('darker chin, jaw and upper lip raise the beard score; black, blond and skin above the forehead order the hair scores', () => {
  const plain = drawFace([65, 10, 15]);
  const beard = drawFace([65, 10, 15]);
  for (const y of [pt(2)[1] + 2, pt(17)[1] + 1]) fillRect(beard, pt(172)[0], y, pt(397)[0], y === pt(2)[1] + 2 ? pt(0)[1] - 1 : pt(152)[1], [70, 55, 45]);
  assert.ok(value(measure(beard), 'chinDark') > 20);
  assert.ok(score('beard', measure(beard)) > score('beard', measure(plain)));
  const hair = (c: Rgb) => {
    const img = drawFace([65, 10, 15]);
    fillRect(img, 0, 0, S - 1, pt(10)[1] - 2, c);
    return measure(img);
  };
  const [black, blond, bald] = [hair([20, 18, 16]), hair([220, 190, 120]), hair(F.labToSrgb(65, 10, 15))];
  assert.ok(score('blackHair', black) > score('blackHair', blond));
  assert.ok(score('blondHair', blond) > score('blondHair', black));
  assert.ok(value(bald, 'hairSkin') > 0.9 && value(black, 'hairSkin') < 0.1);
});

test('buildTraits(): one column per trait, validated only at AUC >= 0.85, categories from ITA and age', () => {
  const rows = [measure(drawFace([75, 8, 12])), measure(drawFace([30, 8, 18]))];
  const measures = new Float32Array(2 * F.MEASURE_DIM);
  rows.forEach((r, i) => measures.set(r, i * F.MEASURE_DIM));
  const traits = F.buildTraits({ measures, age: Float32Array.from([8, 60]), male: Float32Array.from([0.1, 0.9]) }, F.ATTRIBUTE_CALIBRATION);
  const by = new Map(traits.map((t) => [t.name, t]));
  assert.deepEqual(Array.from(by.get('ageBand')!.values), [0, 4]);
  assert.deepEqual(Array.from(by.get('gender')!.values), [0, 1]);
  assert.deepEqual(Array.from(by.get('skinTone')!.values), [0, 5]);
  for (const t of traits) {
    assert.equal(t.values.length, 2);
    if (t.kind === 'binary') assert.equal(t.validated, (t.auc as number) >= F.MIN_LABEL_AUC, t.name);
  }
  assert.ok(by.has('glasses') && by.has('hairColour') && by.has('beard'));
  const cells = F.traitCells(traits, 1);
  assert.equal(cells.ageBand, 'older');
  assert.equal(cells.skinTone, 'dark');
  assert.ok(typeof cells.skinTone_score === 'number' && cells.skinTone_score < -30);
  assert.throws(() => F.buildTraits({ measures, age: Float32Array.from([8]), male: Float32Array.from([0.1, 0.9]) }, F.ATTRIBUTE_CALIBRATION), /must match/);
  assert.throws(() => F.measureAttributes(drawFace([60, 8, 14]), new Float32Array(10)), /468 mesh points/);
});

test('rocAuc, bestF1Threshold and fitLogistic on separable and random data', () => {
  assert.equal(F.rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(F.rocAuc([0.5, 0.5], [0, 1]), 0.5);
  assert.equal(F.bestF1Threshold([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]).f1, 1);
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const rows: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const r = new Float32Array(F.MEASURE_DIM);
    const label = rand() < 0.3 ? 1 : 0;
    r[F.MEASURES.indexOf('bridgeEdge')] = label * 2 + rand();
    r[F.MEASURES.indexOf('rimEdge')] = rand();
    rows.push(r);
    y.push(label);
  }
  const m = F.fitLogistic(['bridgeEdge', 'rimEdge'], rows, y);
  assert.ok(m.weights[0] > 2 && Math.abs(m.weights[1]) < 1, `weights ${m.weights}`);
  assert.ok(F.rocAuc(rows.map((r) => F.logisticScore(m, r)), y) > 0.99);
});

/** Hanley & McNeil (1982): the standard error of an AUC `a` measured on n1 positives and n2 negatives. */
function aucStandardError(a: number, n1: number, n2: number): number {
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  return Math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2));
}

const labelsCsv = path.join(celebaDir(), 'attributes.csv');
test('CelebA: on held-out identities the calibrated attributes keep their AUC', { timeout: 900_000, skip: fs.existsSync(labelsCsv) ? false : `needs ../shared/data/celeba (looked for ${labelsCsv})` }, async () => {
  // 500 photos of odd (held-out) identities, not among the first faces the calibration saw
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-attrs-celeba-'));
  try {
    const images = path.join(data, 'images');
    fs.mkdirSync(images);
    const { rows } = io.parseCsv(fs.readFileSync(labelsCsv, 'utf8'));
    for (const r of rows.filter((r) => Number(r.identity) % 2 === 1).slice(-500)) fs.symlinkSync(path.join(celebaDir(), 'images', r.file), path.join(images, r.file));
    await stages.prepareFaces({ source: images, dataDir: path.join(data, 'data'), onProgress: false });
    const d = await loadLabelled(path.join(data, 'data'), labelsCsv);
    assert.ok(d.measures.length > 200, `${d.measures.length} faces kept`);
    const table = evaluate(d, F.ATTRIBUTE_CALIBRATION);
    console.log(`${d.measures.length} held-out CelebA faces:\n${formatTable(table)}`);
    for (const r of table) {
      const spec = Object.entries(SPECS).find(([name]) => name === r.trait);
      const cal = F.ATTRIBUTE_CALIBRATION;
      const calibrated = (spec ? cal.binary[r.trait].auc : r.trait.startsWith('skin') ? cal.skinAuc : r.trait.startsWith('age') ? cal.ageAuc : cal.maleAuc) ?? F.MIN_LABEL_AUC;
      if (r.positives < 15 || r.faces - r.positives < 15) {
        console.log(`  ${r.trait}: ${r.positives} positives in the sample, AUC ${r.auc.toFixed(3)} not asserted`);
        continue;
      }
      // the sample's AUC may fall below the calibrated one by 0.08, or by 2.5 standard errors where
      // its few positives make it noisier (Hanley & McNeil's standard error of an AUC)
      const tolerance = Math.max(0.08, 2.5 * aucStandardError(calibrated, r.positives, r.faces - r.positives));
      assert.ok(r.auc >= calibrated - tolerance, `${r.trait}: AUC ${r.auc.toFixed(3)} on the sample (${r.positives} positives), calibrated ${calibrated} (tolerance ${tolerance.toFixed(3)})`);
      // a trait used in labels: the sample must not rule out an AUC of MIN_LABEL_AUC (its upper
      // 2.5-SE bound reaches it), and must stay well above chance
      if (calibrated >= F.MIN_LABEL_AUC) {
        const upper = r.auc + 2.5 * aucStandardError(r.auc, r.positives, r.faces - r.positives);
        assert.ok(upper >= F.MIN_LABEL_AUC && r.auc >= 0.75, `${r.trait} is validated but reached only ${r.auc.toFixed(3)} on ${r.positives} positives (upper bound ${upper.toFixed(3)})`);
      }
    }
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});

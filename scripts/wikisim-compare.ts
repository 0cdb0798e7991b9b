/**
 * npm run bench:wikisim: the preparation on the simulated WIKI folder (scripts/simulate-wiki.ts) and
 * on the same CelebA photos as they are, one run after the other, and for both: the funnel, the
 * blurry share, the median head pose, the selection-bias table on gender and age at photo (the
 * simulated wiki.mat's metadata, the same for both runs) and the share of kept faces CelebA marks
 * Blurry; for the simulated folder also the share kept of each simulated kind of photo. Prints
 * figures; asserts nothing.
 *
 *   node build/scripts/wikisim-compare.js [--images <celeba/images>] [--out <dir>] [--n 3000] [--seed 7]
 *     [--keep N (default n/2)] [--workers 2]
 *
 * <out> (default <tmp>/facetype-wikisim-compare) holds wiki/raw/wiki_crop (the simulated folder, made
 * when missing; the WIKI run reads it as `--source wiki --data <out>/wiki` does), wiki/ (that run's
 * data folder), celeba/images (links to the same CelebA photos) with celeba/attributes.csv, and
 * celeba-data/ (the CelebA run's data folder). Re-runs reuse the preparation caches.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, projectRoot, runtime, stages } from 'facetype';
import { describePlan, readSimulated, simulateWiki, SIZE_BANDS, type SimulatedRow } from './simulate-wiki';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

/** The report of one run, as lines. */
function report(title: string, r: stages.PrepareResult, sim: Map<string, SimulatedRow>, simOf: (id: string) => SimulatedRow | undefined): string[] {
  const out: string[] = [`== ${title}`, `photos ${r.source.photos}, kept ${r.kept.length} (keep ${r.keep}), ${r.seconds.toFixed(0)} s, backend ${r.backend}`];
  out.push('funnel (step: removed -> remaining):');
  for (const f of r.funnel) if (f.removed > 0 || f.step === 'kept') out.push(`  ${f.step.padEnd(28)} ${String(f.removed).padStart(5)} -> ${String(f.remaining).padStart(5)}`);
  // the specific reasons, grouped by their words before the values
  const reasons = new Map<string, number>();
  for (const v of r.verdicts) {
    if (!v.step || v.step === 'not among the best N') continue;
    const key = `${v.step}: ${(v.reason ?? '').replace(/\s*\(.*$/, '')}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  out.push('reasons:');
  for (const [k, c] of [...reasons].sort((a, b) => b[1] - a[1])) out.push(`  ${String(c).padStart(5)}  ${k}`);
  const withFace = r.verdicts.filter((v) => v.face !== null).length;
  const blurry = r.verdicts.filter((v) => v.step === 'blurry').length;
  out.push(`blurry: ${blurry} rejected = ${pct(blurry, r.source.photos)} of photos, ${pct(blurry, withFace)} of the ${withFace} photos with a face found`);
  out.push(`pose reference (median of ${r.pose.faces} faces): yaw ${r.pose.yaw}°, pitch ${r.pose.pitch}°`);
  const keptRows = r.kept.map((v) => simOf(v.item.id)).filter((s): s is SimulatedRow => s !== undefined);
  const allRows = [...sim.values()];
  out.push(`CelebA Blurry: ${pct(keptRows.filter((s) => s.blurry).length, keptRows.length)} of kept faces, ${pct(allRows.filter((s) => s.blurry).length, allRows.length)} of all ${allRows.length} photos`);
  // bias on the simulated metadata (gender, age at photo), the same traits for both runs
  const kept = new Set(r.kept.map((v) => v.item.id));
  const seen = new Set<string>();
  const samples: faces.TraitSample[] = [];
  for (const v of r.verdicts) {
    if (seen.has(v.item.id)) continue;
    seen.add(v.item.id);
    const s = simOf(v.item.id);
    if (!s) continue;
    samples.push({ kept: kept.has(v.item.id), traits: faces.traitsFromMeta({ gender: s.gender, age: s.age }) });
  }
  const bias = faces.selectionBias(samples);
  out.push(`selection bias on the simulated wiki.mat metadata (${bias.candidates} candidates, ${bias.kept} kept; group: all -> kept, shift):`);
  for (const b of bias.rows) out.push(`  ${`${b.trait} ${b.group}`.padEnd(26)} ${String(b.allPct).padStart(5)}% -> ${String(b.keptPct).padStart(5)}%  ${b.shift > 0 ? '+' : ''}${b.shift}${b.flagged ? '  FLAGGED' : ''}`);
  out.push(`the run's own bias table (prepare.json): ${r.bias.rows.map((b) => `${b.trait} ${b.group} ${b.allPct}->${b.keptPct}`).join('; ')}`);
  if (r.bias.warnings.length) out.push(`  warnings: ${r.bias.warnings.join(' | ')}`);
  return out;
}

/** Share kept of each simulated kind of photo (of all photos of that kind). */
function keptByKind(r: stages.PrepareResult, rows: SimulatedRow[], idOf: (s: SimulatedRow) => string): string[] {
  const kept = new Set(r.kept.map((v) => v.item.id));
  const kinds: [string, (s: SimulatedRow) => boolean][] = [
    ...SIZE_BANDS.map(([, lo, hi]): [string, (s: SimulatedRow) => boolean] => [`long side ${lo}-${hi} px`, (s) => s.longSide >= lo && s.longSide < hi + (hi === 1000 ? 1 : 0)]),
    ['upscaled (> 218 px)', (s) => s.upscaled],
    ['not upscaled', (s) => !s.upscaled],
    ['colour', (s) => s.look === 'colour'],
    ['grayscale', (s) => s.look === 'grayscale'],
    ['sepia', (s) => s.look === 'sepia'],
    ['JPEG q 30-50', (s) => s.jpegQuality <= 50],
    ['JPEG q 75-95', (s) => s.jpegQuality > 50],
    ['border', (s) => s.border],
    ['face_score -Inf', (s) => s.faceScore === -Infinity],
    ['second face', (s) => !Number.isNaN(s.secondFaceScore)],
    ['CelebA Blurry', (s) => s.blurry],
  ];
  return kinds.map(([name, f]) => {
    const group = rows.filter(f);
    return `  ${name.padEnd(22)} ${String(group.length).padStart(5)} photos, kept ${pct(group.filter((s) => kept.has(idOf(s))).length, group.length)}`;
  });
}

async function main(): Promise<void> {
  const images = path.resolve(arg('images') ?? path.join(projectRoot(), '..', 'shared', 'data', 'celeba', 'images'));
  if (!fs.existsSync(images)) {
    console.log(`bench:wikisim skipped: ${images} does not exist (needs ../shared/data/celeba)`);
    return;
  }
  const base = path.resolve(arg('out') ?? path.join(os.tmpdir(), 'facetype-wikisim-compare'));
  const n = Number(arg('n') ?? 3000);
  const seed = Number(arg('seed') ?? 7);
  const keep = Number(arg('keep') ?? Math.round(n / 2));
  const workers = Number(arg('workers') ?? 2);
  const wikiData = path.join(base, 'wiki');
  const root = path.join(wikiData, 'raw', 'wiki_crop');
  if (!fs.existsSync(path.join(root, 'simulated.csv'))) {
    fs.rmSync(root, { recursive: true, force: true });
    await simulateWiki({ images, out: root, n, seed });
  }
  const rows = readSimulated(root);
  console.log(`simulated WIKI in ${root}`);
  for (const line of describePlan(rows)) console.log(`  ${line}`);
  // the same CelebA photos as they are, with the attributes beside them (for the run's bias table)
  const celeba = path.join(base, 'celeba', 'images');
  fs.mkdirSync(celeba, { recursive: true });
  for (const s of rows) {
    const link = path.join(celeba, s.celeba);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(images, s.celeba), link);
  }
  const attrs = path.join(base, 'celeba', 'attributes.csv');
  if (!fs.existsSync(attrs)) fs.symlinkSync(path.join(images, '..', 'attributes.csv'), attrs);

  const byId = new Map(rows.map((s) => [s.id, s]));
  const byCeleba = new Map(rows.map((s) => [s.celeba, s]));
  const progress = runtime.printProgress({ everyPercent: 10 });
  console.log(`\npreparing the simulated WIKI (source wiki, data ${wikiData}), keep ${keep}, ${workers} workers`);
  const w = await stages.prepareFaces({ source: 'wiki', dataDir: wikiData, keep, workers, onProgress: progress });
  const wikiReport = report(`simulated WIKI (${w.source.label})`, w, byId, (id) => byId.get(id));
  console.log(`\npreparing the same CelebA photos as they are (${celeba}), keep ${keep}, ${workers} workers`);
  const c = await stages.prepareFaces({ source: celeba, dataDir: path.join(base, 'celeba-data'), keep, workers, onProgress: progress });
  const celebaReport = report(`the same CelebA photos (${c.source.label})`, c, byCeleba, (id) => byCeleba.get(path.basename(id)));
  console.log('');
  for (const line of wikiReport) console.log(line);
  console.log('kept share by simulated kind (simulated WIKI run):');
  for (const line of keptByKind(w, rows, (s) => s.id)) console.log(line);
  console.log('');
  for (const line of celebaReport) console.log(line);
  console.log('kept share of the same photos (CelebA run), by the kind they were given in the simulation:');
  for (const line of keptByKind(c, rows, (s) => s.celeba)) console.log(line);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

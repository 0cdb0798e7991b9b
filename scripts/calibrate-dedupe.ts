/**
 * Calibration of the near-duplicate check (faces/dedupe.ts) on CelebA, every face through the
 * real preparation (detection, mesh, eye alignment, crop):
 * - distinct photos of one person: every CelebA identity whose two photos both pass the filters in
 *   a finished preparation (--data);
 * - the same photo re-encoded, resized or cropped: --photos passing photos of that preparation
 *   (half from even identities, half from odd ones), each written as JPEG quality 40, PNG, resized
 *   to 50% and back, resized to 50%, cropped by 3% on every side and 10% brighter, then prepared
 *   in --work like any folder and compared with their own original prepared there.
 * For each pair: the Hamming distance of the crops' dHash, the RMS distance of the eye-aligned
 * face meshes (crop px) and the correlation of the crops' grey thumbnails. Thresholds are tuned on
 * the even identities and checked on the odd ones; the defaults (DEDUPE_DEFAULTS) are scored on
 * both halves, then applied to the whole preparation (merges, same or other identity, time).
 *
 *   node build/scripts/calibrate-dedupe.js --data <prepared CelebA data folder> [--work <dir>]
 *     [--photos 200] [--workers 1] [--csv dedupe-pairs.csv]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { faces, io, runtime, stages } from 'facetype';
import { arg, celebaImages } from './bench-common';

type Sig = faces.FaceSignature;

interface Pair {
  kind: string;
  identity: number;
  half: 'tune' | 'check';
  a: string;
  b: string;
  hash: number;
  mesh: number;
  corr: number;
}

/** Passing faces of a prepared data folder (judged again with today's filters), by photo id. */
function passingFaces(dataDir: string): Map<string, { v: faces.Verdict; crop: string }> {
  const recs = stages.readRecords(path.join(dataDir, 'interim', 'prepare', 'records.jsonl'));
  const byId = new Map([...recs.values()].map((r) => [r.id, r]));
  const items = [...byId.values()].map((r) => ({ id: r.id, path: r.path }));
  const out = new Map<string, { v: faces.Verdict; crop: string }>();
  for (const v of faces.judge(items, byId)) {
    if (v.step === null && v.face?.crop) out.set(v.item.id, { v, crop: path.join(dataDir, 'interim', 'prepare', 'crops', v.face.crop) });
  }
  return out;
}

async function signatures(list: { id: string; crop: string; mesh: string }[]): Promise<Map<string, Sig>> {
  const out = new Map<string, Sig>();
  let next = 0;
  const run = async () => {
    while (next < list.length) {
      const x = list[next++];
      out.set(x.id, faces.faceSignature(await faces.readCropRgb(x.crop), x.mesh));
    }
  };
  await Promise.all([run(), run(), run(), run()]);
  return out;
}

function pairOf(kind: string, identity: number, a: string, b: string, sa: Sig, sb: Sig): Pair {
  const m = faces.compareSignatures(sa, sb);
  return { kind, identity, half: identity % 2 === 0 ? 'tune' : 'check', a, b, hash: m.hash, mesh: Math.round(m.mesh * 1000) / 1000, corr: Math.round(m.correlation * 10000) / 10000 };
}

const VARIANTS: Record<string, (buf: Buffer, w: number, h: number) => Promise<[string, Buffer]>> = {
  'jpeg-q40': async (b) => ['jpg', await sharp(b).jpeg({ quality: 40 }).toBuffer()],
  png: async (b) => ['png', await sharp(b).png().toBuffer()],
  'resize-50-back': async (b, w, h) => ['jpg', await sharp(await sharp(b).resize(Math.round(w / 2), Math.round(h / 2)).toBuffer()).resize(w, h).jpeg({ quality: 90 }).toBuffer()],
  'resize-50': async (b, w, h) => ['jpg', await sharp(b).resize(Math.round(w / 2), Math.round(h / 2)).jpeg({ quality: 90 }).toBuffer()],
  'crop-3': async (b, w, h) => {
    const dx = Math.round(0.03 * w);
    const dy = Math.round(0.03 * h);
    return ['jpg', await sharp(b).extract({ left: dx, top: dy, width: w - 2 * dx, height: h - 2 * dy }).jpeg({ quality: 90 }).toBuffer()];
  },
  'brightness+10': async (b) => ['jpg', await sharp(b).modulate({ brightness: 1.1 }).jpeg({ quality: 90 }).toBuffer()],
};

/** A seeded shuffle (mulberry32), so the chosen photos are the same on every run. */
function shuffled<T>(xs: T[], seed = 11): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const pct = (v: number[], p: number): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : NaN;
};

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const dataDir = arg('data');
  if (!dataDir) throw new Error('--data <prepared CelebA data folder> is required');
  const work = path.resolve(arg('work') ?? path.join(os.tmpdir(), 'facetype-dedupe-calibration'));
  const nPhotos = Number(arg('photos') ?? 200);
  const workers = Number(arg('workers') ?? 1);
  const csv = arg('csv') ?? 'dedupe-pairs.csv';
  const attrs = io.parseCsv(fs.readFileSync(path.join(images, '..', 'attributes.csv'), 'utf8')).rows;
  const identity = new Map(attrs.map((r) => [r.file, Number(r.identity)]));

  // 1. distinct photos of one person, in the finished preparation
  const passing = passingFaces(dataDir);
  const t0 = Date.now();
  const sigs = await signatures([...passing].map(([id, x]) => ({ id, crop: x.crop, mesh: x.v.face!.mesh })));
  const sigSeconds = (Date.now() - t0) / 1000;
  console.log(`${passing.size} passing faces in ${dataDir}; signatures read in ${sigSeconds.toFixed(1)} s`);
  const byIdentity = new Map<number, string[]>();
  for (const id of passing.keys()) {
    const k = identity.get(path.basename(id));
    if (k !== undefined) (byIdentity.get(k) ?? byIdentity.set(k, []).get(k)!).push(id);
  }
  const pairs: Pair[] = [];
  for (const [k, ids] of byIdentity) {
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push(pairOf('same identity', k, ids[i], ids[j], sigs.get(ids[i])!, sigs.get(ids[j])!));
  }

  // 2. synthetic variants of chosen photos, prepared as a folder
  const even = shuffled([...passing.keys()].filter((id) => (identity.get(path.basename(id)) ?? 1) % 2 === 0));
  const odd = shuffled([...passing.keys()].filter((id) => (identity.get(path.basename(id)) ?? 0) % 2 === 1));
  const chosen = [...even.slice(0, nPhotos >> 1), ...odd.slice(0, nPhotos - (nPhotos >> 1))];
  const folder = path.join(work, 'photos');
  fs.mkdirSync(folder, { recursive: true });
  for (const id of chosen) {
    const stem = path.basename(id).replace(/\.[^.]+$/, '');
    const src = passing.get(id)!.v.item.path;
    const buf = fs.readFileSync(src);
    const { width = 0, height = 0 } = await sharp(buf).metadata();
    const orig = path.join(folder, `${stem}__orig.jpg`);
    if (!fs.existsSync(orig)) fs.writeFileSync(orig, buf);
    for (const [name, make] of Object.entries(VARIANTS)) {
      if (fs.readdirSync(folder).some((f) => f.startsWith(`${stem}__${name}.`))) continue;
      const [ext, out] = await make(buf, width, height);
      fs.writeFileSync(path.join(folder, `${stem}__${name}.${ext}`), out);
    }
  }
  const t1 = Date.now();
  await stages.prepareFaces({ source: folder, keep: chosen.length * 7, dataDir: path.join(work, 'data'), workers, onProgress: runtime.printProgress({ everyPercent: 25 }) });
  console.log(`variants prepared in ${((Date.now() - t1) / 1000).toFixed(0)} s (${chosen.length} photos x ${Object.keys(VARIANTS).length + 1} files)`);
  const vPassing = passingFaces(path.join(work, 'data'));
  const vSigs = await signatures([...vPassing].map(([id, x]) => ({ id, crop: x.crop, mesh: x.v.face!.mesh })));
  const variantTotal = new Map<string, number>();
  for (const id of chosen) {
    const stem = path.basename(id).replace(/\.[^.]+$/, '');
    const k = identity.get(path.basename(id))!;
    const origId = `${stem}__orig.jpg`;
    for (const name of Object.keys(VARIANTS)) {
      variantTotal.set(`${k % 2 === 0 ? 'tune' : 'check'} ${name}`, (variantTotal.get(`${k % 2 === 0 ? 'tune' : 'check'} ${name}`) ?? 0) + 1);
      const vid = [...vPassing.keys()].find((x) => x.startsWith(`${stem}__${name}.`));
      if (!vid || !vSigs.has(origId)) continue;
      pairs.push(pairOf(name, k, origId, vid, vSigs.get(origId)!, vSigs.get(vid)!));
    }
  }
  fs.writeFileSync(csv, io.formatCsv(['kind', 'identity', 'half', 'a', 'b', 'hash', 'mesh', 'corr'], pairs as unknown as Record<string, io.CsvValue>[]));
  console.log(`${pairs.length} pairs written to ${csv}`);

  // 3. distributions
  const kinds = ['same identity', ...Object.keys(VARIANTS)];
  const line = (name: string, v: number[]) => `${name} ${[0.01, 0.5, 0.99].map((q) => pct(v, q)).join(' ')} [${Math.min(...v)}..${Math.max(...v)}]`;
  console.log('\nmeasures (tune = even identities, check = odd): p1 p50 p99 [min..max]');
  for (const half of ['tune', 'check'] as const) {
    for (const kind of kinds) {
      const ps = pairs.filter((p) => p.kind === kind && p.half === half);
      if (!ps.length) continue;
      const made = kind === 'same identity' ? '' : ` of ${variantTotal.get(`${half} ${kind}`) ?? 0} made (the others failed a filter)`;
      console.log(`  ${half} ${kind.padEnd(15)} n=${String(ps.length).padStart(5)}${made}\n      ${line('hash', ps.map((p) => p.hash))}; ${line('mesh', ps.map((p) => p.mesh))}; ${line('corr', ps.map((p) => p.corr))}`);
    }
  }

  // 4. the choice on the tune half: recall of the variants and same-identity pairs merged for a
  // grid of limits (CelebA holds some photos twice: look at the merged pairs before calling them errors)
  console.log('\ntune half (even identities): variants merged / same-identity pairs merged, by limits');
  const tuneVar = pairs.filter((p) => p.half === 'tune' && p.kind !== 'same identity');
  const tuneSame = pairs.filter((p) => p.half === 'tune' && p.kind === 'same identity');
  for (const h of [28, 32, 36, 40, 48]) {
    const cells: string[] = [];
    for (const m of [3, 4, 5]) {
      for (const c of [0.8, 0.85, 0.88, 0.9]) {
        const o = { ...faces.DEDUPE_DEFAULTS, maxHammingDistance: h, maxMeshDistance: m, minCorrelation: c };
        const ok = (p: Pair) => faces.isNearDuplicate({ hash: p.hash, mesh: p.mesh, correlation: p.corr }, o);
        cells.push(`m${m} c${c}: ${tuneVar.filter(ok).length}/${tuneSame.filter(ok).length}`);
      }
    }
    console.log(`  hash ${h}: ${cells.join('  ')}`);
  }
  console.log(`  (of ${tuneVar.length} variants and ${tuneSame.length} same-identity pairs)`);
  const d = faces.DEDUPE_DEFAULTS;
  console.log(`DEDUPE_DEFAULTS: hash <= ${d.maxHammingDistance} bits, mesh <= ${d.maxMeshDistance} px, correlation >= ${d.minCorrelation}`);
  const merged = (p: Pair) => faces.isNearDuplicate({ hash: p.hash, mesh: p.mesh, correlation: p.corr }, d);
  for (const half of ['tune', 'check'] as const) {
    const v = pairs.filter((p) => p.half === half && p.kind !== 'same identity');
    const sm = pairs.filter((p) => p.half === half && p.kind === 'same identity');
    const byKind = Object.keys(VARIANTS).map((k) => {
      const vk = v.filter((p) => p.kind === k);
      return `${k} ${vk.filter(merged).length}/${vk.length}`;
    });
    console.log(`  ${half}: variants merged ${v.filter(merged).length}/${v.length} (${(100 * v.filter(merged).length / Math.max(1, v.length)).toFixed(1)}%: ${byKind.join(', ')});` +
      ` same-identity pairs merged ${sm.filter(merged).length}/${sm.length}`);
    for (const p of sm.filter(merged)) console.log(`      merged: ${p.a} ${p.b} (identity ${p.identity}; hash ${p.hash}, mesh ${p.mesh}, correlation ${p.corr}): look whether it is the same shot`);
  }

  // 5. the product's check (markNearDuplicates) on the variants folder and on the whole preparation
  for (const [label, dir, all] of [['variants folder', path.join(work, 'data'), vPassing], ['whole preparation', dataDir, passing]] as const) {
    const verdicts = [...all.values()].map((x) => x.v);
    const r = await faces.markNearDuplicates(verdicts, { crops: path.join(dir, 'interim', 'prepare', 'crops'), cacheFile: path.join(work, `signatures-${label.replace(/ /g, '-')}.jsonl`) });
    const marked = verdicts.filter((v) => v.step === 'near duplicate');
    const ident = (id: string) => identity.get(path.basename(id).replace(/__.*$/, '.jpg'));
    const target = (v: faces.Verdict) => /^duplicate of (\S+)/.exec(v.reason ?? '')?.[1] ?? '';
    const same = marked.filter((v) => ident(v.item.id) === ident(target(v)));
    const samePhoto = marked.filter((v) => path.basename(v.item.id).replace(/__.*$/, '') === path.basename(target(v)).replace(/__.*$/, ''));
    console.log(`\n${label}: ${r.checked} passing faces, ${r.marked} marked near duplicates (${samePhoto.length} of the same CelebA photo, ` +
      `${same.length - samePhoto.length} of another photo of the same identity, ${marked.length - same.length} of another identity); ` +
      `signatures ${r.signatureSeconds.toFixed(1)} s, comparisons ${r.compareSeconds.toFixed(2)} s`);
    if (label === 'variants folder') {
      const groups = new Set([...all.keys()].map((id) => id.replace(/__.*$/, '')));
      console.log(`  ${groups.size} photos with a passing file: ${r.checked - r.marked} faces left (ideal ${groups.size}); variants not merged:`);
      const left = new Map<string, string[]>();
      for (const v of verdicts.filter((x) => x.step === null)) {
        const g = v.item.id.replace(/__.*$/, '');
        (left.get(g) ?? left.set(g, []).get(g)!).push(v.item.id);
      }
      for (const ids of left.values()) if (ids.length > 1) console.log(`    ${ids.join(', ')}`);
    }
    for (const v of marked.filter((x) => !samePhoto.includes(x))) console.log(`  ${v.item.id} (identity ${ident(v.item.id)}): ${v.reason} (identity ${ident(target(v))})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runConfig, stages } from 'facetype';

let data = '';
let result: stages.PrepareResult;
before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-bias-'));
  result = await stages.prepareFaces({ source: 'demo', dataDir: data, onProgress: false });
});
after(() => fs.rmSync(data, { recursive: true, force: true }));

const cache = () => (JSON.parse(fs.readFileSync(path.join(data, 'interim', 'bias', 'estimates.json'), 'utf8')) as { faces: Record<string, [number, number]> }).faces;

test('estimatedBias() estimates gender and age band on the demo (no metadata), caches them and writes bias.json', { timeout: 300_000 }, async () => {
  const cfg = runConfig({ dataDir: data, source: 'demo' });
  assert.equal(result.bias.rows.length, 0, 'the demo has no metadata');
  const withFace = result.verdicts.filter((v) => v.face).length;
  const run = await stages.estimatedBias(cfg, result, { onProgress: false });
  assert.equal(run.estimated, withFace);
  assert.equal(run.computed, withFace);
  assert.ok(run.msPerFace !== null && run.msPerFace > 0 && run.cpuMsPerFace !== null && run.cpuMsPerFace > 0);
  const t = run.table;
  assert.deepEqual([...new Set(t.rows.map((r) => r.trait))].sort(), ['estimated age', 'estimated gender']);
  assert.equal(t.candidates, withFace);
  assert.equal(t.kept, result.kept.length);
  assert.match(t.note ?? '', new RegExp(`kept: all ${result.kept.length}; rejected: all ${withFace - result.kept.length}`));
  // each trait's shares add up to 100% among all candidates and among the kept ones
  for (const trait of ['estimated age', 'estimated gender']) {
    const rows = t.rows.filter((r) => r.trait === trait);
    assert.ok(Math.abs(rows.reduce((s, r) => s + r.allPct, 0) - 100) < 0.3);
    assert.ok(Math.abs(rows.reduce((s, r) => s + r.keptPct, 0) - 100) < 0.3);
  }
  const saved = JSON.parse(fs.readFileSync(path.join(data, 'processed', 'bias.json'), 'utf8')) as stages.BiasRun;
  assert.deepEqual(saved.table, t);
  // a second run reads every estimate from the cache
  const again = await stages.estimatedBias(cfg, result, { onProgress: false });
  assert.equal(again.computed, 0);
  assert.deepEqual(again.table, t);
});

test('estimatedBias() samples the rejected faces (seeded) and weights them; cuts missing crops from the photo', { timeout: 300_000 }, async () => {
  const cfg = runConfig({ dataDir: data, source: 'demo' });
  const keptIds = new Set(result.kept.map((v) => `${v.item.id}#${v.face!.index}`));
  const rejected = result.verdicts.filter((v) => v.face && !keptIds.has(`${v.item.id}#${v.face.index}`));
  assert.ok(rejected.length >= 3, `only ${rejected.length} rejected faces on the demo`);
  const small = await stages.estimatedBias(cfg, result, { onProgress: false, sample: 2 });
  assert.match(small.table.note ?? '', new RegExp(`rejected: a random sample of 2 of ${rejected.length} \\(weighted ×${(rejected.length / 2).toFixed(2)}\\)`));
  assert.match(small.table.note ?? '', /kept: a random sample of 2 of/);
  assert.equal(small.table.candidates, result.kept.length + rejected.length);
  const same = await stages.estimatedBias(cfg, result, { onProgress: false, sample: 2 });
  assert.deepEqual(same.table, small.table, 'the sample is seeded');
  // without their crops, the rejected faces are cut again from the photos: same estimates, nearly
  const before = cache();
  for (const v of rejected) fs.rmSync(path.join(result.paths.crops, v.face!.crop!));
  const run = await stages.estimatedBias(cfg, result, { onProgress: false });
  assert.equal(run.recropped, rejected.length);
  assert.equal(run.computed, rejected.length);
  const after = cache();
  for (const v of rejected) {
    const old = Object.entries(before).find(([k]) => k.startsWith(`${v.face!.crop}|`))![1];
    const fresh = Object.entries(after).find(([k]) => k.startsWith(`${stages.safeName(v.item.id)}_f${v.face!.index}.jpg|`) && !(k in before))![1];
    assert.ok(Math.abs(old[0] - fresh[0]) < 3, `age ${old[0]} vs ${fresh[0]} from the re-cut crop`);
    assert.ok(Math.abs(old[1] - fresh[1]) < 0.1, `P(male) ${old[1]} vs ${fresh[1]} from the re-cut crop`);
  }
});

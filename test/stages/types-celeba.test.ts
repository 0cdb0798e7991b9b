/**
 * The face types on CelebA photos, checked against CelebA's own labels: every claim of every
 * generated label that CelebA has a label for (gender -> Male, young -> Young, smiling ->
 * Smiling, glasses -> Eyeglasses, beard -> not No_Beard, moustache -> Mustache, hair colours ->
 * Black/Brown/Blond/Gray_Hair, bald -> Bald, hat -> Wearing_Hat, pale skin -> Pale_Skin: see
 * stages.celebaAttributeOf) holds for at least 80% of the type's members. Runs the preparation, the features and the types on the first
 * 1,500 CelebA photos (about 2-3 minutes on 2 cores); FACETYPE_CELEBA_DATA may name a data folder
 * already prepared from CelebA instead (its caches are used and its clusters rewritten).
 * Skipped, with the reason, without ../shared/data/celeba.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cluster, runConfig, stages } from 'facetype';
import { sharedDir } from '../support/shared-data';

const CELEBA = path.join(sharedDir(), 'data', 'celeba');
const ATTRIBUTES = path.join(CELEBA, 'attributes.csv');
const missing = fs.existsSync(ATTRIBUTES) && fs.existsSync(path.join(CELEBA, 'images'))
  ? false
  : `CelebA is absent (looked for ${CELEBA}/images and attributes.csv; set FACETYPE_SHARED to the shared folder)`;

async function preparedSample(): Promise<string> {
  if (process.env.FACETYPE_CELEBA_DATA) return path.resolve(process.env.FACETYPE_CELEBA_DATA);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-types-celeba-'));
  const images = path.join(root, 'images');
  fs.mkdirSync(images);
  const all = fs.readdirSync(path.join(CELEBA, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, 1500);
  for (const f of all) {
    try {
      fs.linkSync(path.join(CELEBA, 'images', f), path.join(images, f));
    } catch {
      fs.symlinkSync(path.join(CELEBA, 'images', f), path.join(images, f));
    }
  }
  const data = path.join(root, 'data');
  await stages.prepareFaces({ source: images, keep: 1200, dataDir: data, onProgress: false });
  return data;
}

test('every label claim on CelebA holds for >= 80% of its type by CelebA\'s own labels', { skip: missing, timeout: 15 * 60_000 }, async () => {
  const data = await preparedSample();
  const cfg = runConfig({ dataDir: data });
  const prepared = stages.loadPrepared(cfg.paths);
  const feats = await stages.extractFeatures({ dataDir: data, onProgress: false, masks: false }, prepared);
  const reduced = stages.reduce(stages.faceMatrix(feats), 0.9);
  const analysis = await cluster.analyzeK(reduced.X, { ...stages.kRange(reduced.X.rows), nInit: 5, metric: 'cosine', seed: 42, bootstrap: { samples: 10, fraction: 0.8 } });
  const choice = cluster.chooseK(analysis);
  const types = await stages.faceTypes(reduced.X, analysis, choice.k, feats);
  const external = stages.externalLabels(prepared, ATTRIBUTES, [
    'Male', 'Young', 'Eyeglasses', 'No_Beard', 'Mustache', 'Goatee', 'Blond_Hair', 'Black_Hair', 'Brown_Hair', 'Gray_Hair', 'Bald', 'Wearing_Hat', 'Pale_Skin', 'Smiling',
  ]);
  assert.ok(external, 'the CelebA photos match attributes.csv');
  const labels = [...types.tree.level1Labels.map((t) => ({ t, of: types.tree.level1 })), ...types.tree.leafLabels.map((t) => ({ t, of: types.tree.leaves }))];
  const checks = labels.flatMap(({ t, of }) => stages.checkClaims([t], of, types.traits, external.table));
  console.log(`${prepared.images.length} CelebA faces, ${types.tree.parentOf.length} types; ${checks.length} claims with a CelebA label:\n` +
    checks.map((c) => `  ${c.label}: ${c.claim} ~ ${c.expected ? '' : 'not '}${c.attribute} ${(100 * c.share).toFixed(1)}%`).join('\n'));
  assert.ok(checks.length > 0, 'at least one claim can be checked');
  for (const c of checks) assert.ok(c.holds, `"${c.label}": "${c.claim}" holds for ${(100 * c.share).toFixed(1)}% by CelebA's ${c.attribute}`);
  const leafNames = types.tree.leafLabels.map((t) => t.label);
  assert.equal(new Set(leafNames).size, leafNames.length, 'labels of different types differ');
});

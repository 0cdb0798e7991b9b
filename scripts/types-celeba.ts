/**
 * The face types on CelebA, checked against CelebA's own labels: the type table (size, label,
 * shares of CelebA attributes, NMI per attribute), the comparison of typings, the tree, every
 * label claim against CelebA, the purity of each type (one gender or one age band) and the ROC AUC
 * of face-api's happy probability against Smiling on each half of the identities.
 *
 *   node build/scripts/types-celeba.js --data <a prepared CelebA data folder> [--attributes <csv>]
 *
 * The data folder must hold the preparation's outputs and, ideally, the features cache (computed
 * now when missing). It writes data/processed/clusters* inside that folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cluster, io, plots, projectRoot, runConfig, stages } from 'facetype';
import { arg } from './bench-common';

/** The attributes of the type table (the closing note). */
const CELEBA = ['Male', 'Young', 'Eyeglasses', 'No_Beard', 'Blond_Hair', 'Black_Hair', 'Gray_Hair', 'Pale_Skin', 'Smiling'];
/** Every CelebA attribute a claim may be checked against. */
const CHECKED = [...CELEBA, 'Mustache', 'Goatee', 'Brown_Hair', 'Bald', 'Wearing_Hat'];

/** ROC AUC of a score against 0/1 labels (ties count one half). */
function auc(score: ArrayLike<number>, truth: ArrayLike<number>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rank = 0, pos = 0, sumPos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && score[idx[j]] === score[idx[i]]) j++;
    const r = (i + j + 1) / 2;
    for (let t = i; t < j; t++) if (truth[idx[t]] === 1) { sumPos += r; pos++; }
    rank = j;
    i = j;
  }
  const neg = rank - pos;
  return (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function markdown(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  return [`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${cols.map((c) => String(r[c])).join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const data = path.resolve(arg('data') ?? 'data');
  const attributesFile = path.resolve(arg('attributes') ?? path.join(projectRoot(), '..', 'shared', 'data', 'celeba', 'attributes.csv'));
  if (!fs.existsSync(attributesFile)) {
    console.log(`skipped: ${attributesFile} does not exist (needs ../shared/data/celeba)`);
    return;
  }
  const t0 = Date.now();
  const cfg = runConfig({ dataDir: data });
  const prepared = stages.loadPrepared(cfg.paths);
  const feats = await stages.extractFeatures({ dataDir: data, onProgress: false, masks: false }, prepared);
  const fm = stages.faceMatrix(feats);
  const reduced = stages.reduce(fm, 0.9);
  const analysis = await stages.analyzeTypes(reduced.X, cfg, { bootstrapSamples: Number(arg('bootstrap') ?? 20) });
  const choice = cluster.chooseK(analysis);
  const t1 = Date.now();
  const types = await stages.faceTypes(reduced.X, analysis, choice.k, feats);
  const t2 = Date.now();
  const external = stages.externalLabels(prepared, attributesFile, CELEBA)!;
  const all = stages.externalLabels(prepared, attributesFile, CHECKED)!;
  const comparison = await stages.compareTypings(reduced.X, analysis, choice.k, types.tree, types.traits, external.table, { seed: cfg.seed });
  const leaves = types.tree.leaves;
  const scores = stages.scoreAgainstLabels(leaves, external.table);
  console.log(`CelebA: ${prepared.images.length} faces; level 1 k=${choice.k}; ${types.tree.parentOf.length} types; analysis ${((t1 - t0) / 1000).toFixed(0)} s, types ${((t2 - t1) / 1000).toFixed(0)} s\n`);
  console.log('## Tree\n');
  console.log(plots.typeTreeText(types.tree.nodes));
  console.log(`\n${types.tree.justification}\n`);
  console.log('## Types against CelebA labels\n');
  const ageBand = types.traits.find((t) => t.name === 'ageBand')!;
  const purity = (rows: number[]) => {
    const male = rows.filter((i) => external.table.Male[i] === 1).length / rows.length;
    const bands = stages.AGE_BANDS.map((_, b) => rows.filter((i) => ageBand.values[i] === b).length / rows.length);
    return { gender: Math.max(male, 1 - male), band: Math.max(...bands) };
  };
  const members = stages.membersByType(leaves);
  console.log(markdown([
    ...scores.clusters.map((c, r) => {
      const p = purity(members.get(c)!);
      return { type: c, size: members.get(c)!.length, label: types.names.get(c), ...Object.fromEntries(scores.attributes.map((a, j) => [a, pct(scores.share[r][j])])), 'one gender': pct(p.gender), 'one age band': pct(p.band) };
    }),
    { type: 'all', size: leaves.length, label: 'everyone', ...Object.fromEntries(scores.attributes.map((a, j) => [a, pct(scores.overall[j])])), 'one gender': '', 'one age band': '' },
    { type: 'NMI', size: '', label: '', ...Object.fromEntries(scores.attributes.map((a, j) => [a, scores.nmi[j].toFixed(3)])), 'one gender': '', 'one age band': '' },
  ]));
  const pure = [...members.values()].map(purity).filter((p) => p.gender >= 0.93 || p.band >= 0.93).length;
  console.log(`\n${pure} of ${members.size} types are >= 93% one gender (CelebA's Male) or one age band (face-api's age).\n`);
  console.log('## Share table (traits, as measured)\n');
  console.log(markdown(stages.shareTableRows(types.shares, types.names, new Map([...members].map(([c, r]) => [c, r.length])))));
  console.log('\n## Comparison\n');
  console.log(markdown(stages.typingRows(comparison)));
  console.log(`\n${comparison.justification}\n`);
  console.log('## Label claims against CelebA\n');
  const checks = stages.checkClaims(types.tree.leafLabels, leaves, types.traits, all.table);
  console.log(checks.length ? markdown(checks.map((c) => ({ type: c.type, label: c.label, claim: c.claim, CelebA: `${c.expected ? '' : 'not '}${c.attribute}`, share: pct(c.share), holds: c.holds ? 'yes' : 'NO' }))) : 'no claim has a CelebA label');
  const unmapped = types.tree.leafLabels.flatMap((t) => t.claims.filter((c) => c.trait === 'ageBand' && !stages.celebaAttributeOf(c, types.traits))
    .map((c) => `${t.label}: "${c.text}" (CelebA has no label for middle age; CelebA Young: ${pct(members.get(t.type)!.filter((i) => external.table.Young[i] === 1).length / members.get(t.type)!.length)})`));
  if (unmapped.length) console.log(`\nage claims CelebA cannot check:\n${unmapped.join('\n')}`);
  const l1checks = stages.checkClaims(types.tree.level1Labels, types.tree.level1, types.traits, all.table);
  console.log(`\nleaf claims holding >= 80%: ${checks.filter((c) => c.holds).length} of ${checks.length}; level-1 claims: ${l1checks.filter((c) => c.holds).length} of ${l1checks.length}`);
  // smiling: AUC of happy against Smiling on each half of the identities
  const csv = io.parseCsv(fs.readFileSync(attributesFile, 'utf8'));
  const identity = new Map(csv.rows.map((r) => [String(r.file), Number(r.identity)]));
  const happy = types.traits.find((t) => t.name === 'smiling')!.score!;
  const age = types.traits.find((t) => t.name === 'ageBand')!.score!;
  const male = Float32Array.from(feats.names, (_, i) => feats.attributes[i * 9 + 1]);
  for (const half of [0, 1]) {
    const idx = prepared.file.faces.map((f, i) => (((identity.get(path.basename(f.photo)) ?? 0) % 2) === half ? i : -1)).filter((i) => i >= 0);
    const of = (score: ArrayLike<number>, label: string, sign = 1) => auc(idx.map((i) => sign * score[i]), idx.map((i) => external.table[label][i])).toFixed(3);
    console.log(`identities ${half ? 'odd' : 'even'} (${idx.length} faces): AUC of happy vs Smiling ${of(happy, 'Smiling')}, of -age vs Young ${of(age, 'Young', -1)}, of P(male) vs Male ${of(male, 'Male')}`);
  }
  console.log(`\n## Trait validation (AUC)\n\n${markdown(stages.attributeAucRows())}`);
  const skin = types.traits.find((t) => t.name === 'skinTone');
  if (skin) console.log(`\n${plots.itaChart(skin).summary}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

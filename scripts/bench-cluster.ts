/**
 * npm run bench:cluster: on the 9,000 faces prepared from CelebA,
 * 1. features from an empty cache (faces/s; target 40 on 2 cores);
 * 2. the k = 2..10 analysis as scikit-learn would do it (K-Means with 10 restarts + silhouette for
 *    every k, no bootstrap; scikit-learn 1.9 needs 13.3 s for 9,000 x 128 here) on the 128-d
 *    descriptors, and on the stage's own PCA components;
 * 3. the whole cluster stage as notebook 02 runs it (with 20 bootstrap fits for stability);
 * then the per-cluster CelebA attribute table and peak RSS. Prints figures; asserts nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cluster, faces, features, projectPaths, stages, runConfig } from 'facetype';
import { celebaImages, machine, preparedCeleba, rssSampler } from './bench-common';

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const data = await preparedCeleba(images);
  const paths = projectPaths(data);
  const rss = rssSampler();
  fs.rmSync(stages.featurePaths(paths).dir, { recursive: true, force: true });
  const prepared = stages.loadPrepared(paths);
  const t0 = Date.now();
  const f = await stages.extractFeatures({ dataDir: data }, prepared);
  const featureSeconds = (Date.now() - t0) / 1000;

  const desc = cluster.l2normalizeRows(cluster.matrix(f.names.length, 128, Float64Array.from(f.descriptors)));
  const t1 = Date.now();
  await cluster.analyzeK(desc, { kMin: 2, kMax: 10, nInit: 10, metric: 'euclidean', bootstrap: { samples: 0 } });
  const coreSeconds = (Date.now() - t1) / 1000;
  const t1b = Date.now();
  await cluster.analyzeK(desc, { kMin: 2, kMax: 10, nInit: 10, metric: 'cosine', bootstrap: { samples: 0 } });
  const coreCosine = (Date.now() - t1b) / 1000;

  const t2 = Date.now();
  const stage = await stages.runTypesStage(runConfig({ dataDir: data, source: images }), { onProgress: false });
  const stageSeconds = (Date.now() - t2) / 1000;
  const peak = rss.stop();

  console.log('\n== bench:cluster');
  console.log(`machine                 ${machine()}`);
  console.log(`faces                   ${f.names.length}`);
  console.log(`features                ${featureSeconds.toFixed(1)} s = ${(f.names.length / featureSeconds).toFixed(1)} faces/s (${f.backend})`);
  console.log(`k=2..10, 10 restarts + silhouette, 9000 x 128 descriptors: ${coreSeconds.toFixed(1)} s euclidean silhouette, ${coreCosine.toFixed(1)} s cosine (scikit-learn 1.9: 13.3 s)`);
  console.log(`cluster stage (notebook 02's work, with 20 bootstrap fits): ${stageSeconds.toFixed(1)} s (analysis ${stage.seconds.analysis.toFixed(1)} s, alternatives ${stage.seconds.alternatives.toFixed(1)} s)`);
  console.log(`chosen k                ${stage.choice.k}: ${stage.choice.justification}`);
  console.log(`peak RSS                ${peak.toFixed(0)} MB`);
  const attrs = path.join(images, '..', 'attributes.csv');
  const ext = stages.externalLabels(prepared, fs.existsSync(attrs) ? attrs : null);
  const loaded = stages.loadClusters(paths);
  const json = loaded.file;
  console.log('\nclusters:');
  for (const c of json.clusters) console.log(`  ${c.cluster} ${c.label.padEnd(28)} n=${String(c.size).padStart(5)}  age ${c.ageMean.toFixed(1)} ± ${c.ageStd.toFixed(1)}  men ${(100 * c.maleShare).toFixed(0)}%  ${c.dominant.join(', ')}`);
  if (ext) {
    console.log(`\nagainst ${ext.source}:`);
    console.log(stages.scoreAgainstLabels(loaded.labels, ext.table).text.split('\n').map((l) => '  ' + l).join('\n'));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

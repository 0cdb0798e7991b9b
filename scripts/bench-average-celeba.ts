/**
 * npm run bench:average: all cluster averages plus the global one from the 9,000 faces prepared
 * and clustered from CelebA (target: under 60 s on 2 cores). Prints the time and the grid's path.
 * The person masks (the features stage's work) are computed first if missing, not timed;
 * `--composite face` times the face-region version (`person`, whole heads, is the default).
 */
import * as path from 'node:path';
import { average, faces, projectPaths, stages, runConfig } from 'facetype';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { arg, celebaImages, machine, preparedCeleba, rssSampler } from './bench-common';

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const data = await preparedCeleba(images);
  if (!fs.existsSync(path.join(projectPaths(data).processed, 'clusters.json'))) {
    console.log('clustering first (not timed)');
    await stages.runTypesStage(runConfig({ dataDir: data, source: images }), { onProgress: false });
  }
  const cfg = runConfig({ dataDir: data, source: images });
  const masks = await stages.personMasks(stages.loadPrepared(cfg.paths).images, faces.maskDir(cfg.paths.interim), { workers: cfg.workers, backend: cfg.backend, onProgress: false });
  console.log(`person masks: ${masks.computed} computed now (not timed), ${masks.cached} cached, ${masks.failed} failed`);
  const composite = (arg('composite') ?? 'person') as average.AverageOptions['composite'];
  const rss = rssSampler();
  const t0 = Date.now();
  const { result, files } = await stages.runAveragesStage(cfg, { composite });
  const seconds = (Date.now() - t0) / 1000;
  console.log('\n== bench:average');
  console.log(`machine        ${machine()}, load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`composite      ${composite}`);
  console.log(`faces          ${result.seen} read, ${result.used} averaged, groups ${result.groups.length} + global`);
  console.log(`time           ${seconds.toFixed(1)} s (averaging ${result.seconds.toFixed(1)} s, then PNGs)`);
  console.log(`peak RSS       ${rss.stop().toFixed(0)} MB`);
  console.log(`grid           ${files.find((f) => f.endsWith(`${path.sep}grid.png`))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

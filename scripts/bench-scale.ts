/**
 * npm run bench:scale: the preparation on CelebA photos as they are and downscaled to 2/3
 * (generated into a temporary folder). The share rejected as blurry must not rise by more than 5
 * points and the kept faces of both runs must overlap >= 80% (exit code 1 otherwise). keep is the
 * default run's proportion (9,000 of 18,686) of the photos, so the ranking cut is exercised too.
 *
 *   node build/scripts/bench-scale.js [--images <folder>] [--limit 3000] [--workers N] [--keep-data]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runtime } from 'facetype';
import { arg, celebaImages, machine } from './bench-common';
import { compareScales, formatComparison } from './scale-common';

async function main(): Promise<void> {
  const images = celebaImages();
  if (!images) return;
  const limit = Number(arg('limit') ?? 3000);
  const files = fs.readdirSync(images).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, limit);
  const keep = Math.max(1, Math.round((files.length * 9000) / 18686));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-bench-scale-'));
  console.log(`bench:scale on ${files.length} photos of ${images}, keep ${keep}, work folder ${work}`);
  const t0 = Date.now();
  const c = await compareScales(images, files, work, { keep, workers: arg('workers') ? Number(arg('workers')) : null, onProgress: runtime.printProgress({ everyPercent: 25 }) });
  console.log('\n== bench:scale');
  for (const line of formatComparison(c)) console.log(line);
  console.log(`wall time                   ${((Date.now() - t0) / 1000).toFixed(0)} s on ${machine()}`);
  if (!process.argv.includes('--keep-data')) fs.rmSync(work, { recursive: true, force: true });
  const ok = c.blurryRise <= 5 && c.overlapPct >= 80;
  console.log(ok ? 'scale property holds' : 'scale property FAILS');
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

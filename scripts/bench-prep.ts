/**
 * npm run bench:prep: the whole preparation on CelebA (../shared/data/celeba/images, 18,686
 * photos) from an empty cache: photos/s, wall time, peak RSS, and the share of kept faces that
 * CelebA marks Blurry (and other attributes). Prints figures; asserts nothing.
 *
 *   node build/scripts/bench-prep.js [--images <folder>] [--limit N] [--keep N] [--workers N] [--keep-data]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, projectRoot, runtime, stages } from 'facetype';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const images = path.resolve(arg('images') ?? path.join(projectRoot(), '..', 'shared', 'data', 'celeba', 'images'));
  if (!fs.existsSync(images)) {
    console.log(`bench:prep skipped: ${images} does not exist (needs ../shared/data/celeba)`);
    return;
  }
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-bench-prep-'));
  const limit = arg('limit') ? Number(arg('limit')) : null;
  const keep = Number(arg('keep') ?? 9000);
  const workers = arg('workers') ? Number(arg('workers')) : null;
  console.log(`bench:prep on ${images}${limit ? ` (first ${limit})` : ''}, keep ${keep}, data in ${data}`);
  const t0 = Date.now();
  const r = await stages.prepareFaces({ source: images, keep, limit, workers, dataDir: data, onProgress: runtime.printProgress({ everyPercent: 10 }) });
  const wall = (Date.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log('\n== bench:prep');
  console.log(`photos            ${r.source.photos}`);
  console.log(`kept faces        ${r.kept.length}`);
  console.log(`wall time         ${wall.toFixed(1)} s`);
  console.log(`photos/s          ${(r.source.photos / wall).toFixed(1)}`);
  console.log(`peak RSS          ${rss.toFixed(0)} MB`);
  console.log(`backend           ${r.backend}`);
  console.log(`cpus              ${os.cpus().length} x ${os.cpus()[0]?.model}`);
  const attrs = path.join(images, '..', 'attributes.csv');
  if (fs.existsSync(attrs)) {
    const shares = stages.attributeShares(r, attrs, ['Blurry', 'Eyeglasses', 'Wearing_Hat', 'Smiling', 'Male', 'Young']);
    console.log('\nCelebA attribute shares (all photos / kept / rejected):');
    for (const s of shares) console.log(`  ${s.attribute.padEnd(12)} ${(100 * s.all).toFixed(1).padStart(5)}%  ${(100 * s.kept).toFixed(1).padStart(5)}%  ${(100 * s.rejected).toFixed(1).padStart(5)}%`);
  }
  console.log('\nFunnel:');
  for (const f of r.funnel) console.log(`  ${f.step.padEnd(28)} -${String(f.removed).padStart(6)}  ${String(f.remaining).padStart(6)}`);
  if (!process.argv.includes('--keep-data')) fs.rmSync(data, { recursive: true, force: true });
  else console.log(`\ndata kept in ${data}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

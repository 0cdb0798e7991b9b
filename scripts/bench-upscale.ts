/**
 * npm run bench:upscale [-- photos]: do enlarged copies of CelebA photos outrank their sources in
 * the quality score? (FilterOptions.fullSizeEyeDistance; see scripts/upscale-common.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareUpscaled } from './upscale-common';
import { sharedDir } from '../test/support/shared-data';

async function main(): Promise<void> {
  const images = path.join(sharedDir(), 'data', 'celeba', 'images');
  if (!fs.existsSync(images)) throw new Error(`CelebA is absent (looked for ${images}; set FACETYPE_SHARED to the shared folder)`);
  const n = Number(process.argv[2] ?? 300);
  const files = fs.readdirSync(images).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(1000, 1000 + n);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-upscale-'));
  try {
    const t0 = Date.now();
    const { pairs, variants } = await compareUpscaled(images, files, work);
    console.log(`bench:upscale on ${files.length} CelebA photos x 4 copies (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    console.log('copy  faces  median eye px  median blur  rejected blurry');
    for (const v of variants) console.log(`${v.prefix.padEnd(5)} ${String(v.faces).padStart(5)}  ${v.medianEyeDistance.toFixed(1).padStart(13)}  ${v.medianBlur.toFixed(3).padStart(11)}  ${String(v.blurry).padStart(15)}`);
    for (const p of pairs) console.log(`${p.name}: the enlargement scores higher in ${p.enlargedHigher} of ${p.pairs} pairs; median gain ${p.medianGain}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});

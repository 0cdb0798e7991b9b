/**
 * The preparation's scale property on a few hundred CelebA photos (the full bench is npm run
 * bench:scale): downscaled to 2/3, the share rejected as blurry rises by at most 5 points and the
 * kept faces overlap by at least 80%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedDir } from '../support/shared-data';
import { compareScales, formatComparison } from '../../scripts/scale-common';
import { compareUpscaled } from '../../scripts/upscale-common';

const images = path.join(sharedDir(), 'data', 'celeba', 'images');
const skip = fs.existsSync(images) ? false : `CelebA is absent (looked for ${images}; set FACETYPE_SHARED to the shared folder)`;

test('prepareFaces() on CelebA downscaled to 2/3: blurry share rises <= 5 points, kept faces overlap >= 80%', { skip, timeout: 900_000 }, async () => {
  const files = fs.readdirSync(images).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, 240);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-scale-test-'));
  try {
    const c = await compareScales(images, files, work, { keep: 120, workers: 1 });
    console.log(formatComparison(c).join('\n'));
    assert.ok(c.runs[0].withFace > 200, `faces measured: ${c.runs[0].withFace}`);
    assert.ok(c.blurryRise <= 5, `blurry share rose by ${c.blurryRise} points`);
    assert.ok(c.overlapPct >= 80, `kept faces overlap ${c.overlapPct}%`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('an enlarged copy of a CelebA photo does not outrank its source in the quality score (median gain <= 0.005)', { skip, timeout: 600_000 }, async () => {
  const files = fs.readdirSync(images).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(1000, 1030);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-upscale-test-'));
  try {
    const { pairs } = await compareUpscaled(images, files, work, 1);
    console.log(pairs.map((p) => `${p.name}: enlargement higher in ${p.enlargedHigher}/${p.pairs}, median gain ${p.medianGain}`).join('\n'));
    for (const p of pairs) {
      assert.ok(p.pairs >= 15, `${p.name}: only ${p.pairs} pairs scored`);
      assert.ok(p.medianGain <= 0.005, `${p.name}: the enlargement gains ${p.medianGain} in median`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

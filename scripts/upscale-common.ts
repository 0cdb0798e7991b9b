/**
 * Does an enlarged copy of a photo outrank its original? Shared by npm run bench:upscale and its
 * test: some CelebA photos are written as they are (o), enlarged 2x (u), halved (s) and halved
 * then enlarged back (su); all are prepared as one source, and the quality scores of each
 * enlargement and its source photo are compared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { stages } from 'facetype';

export interface UpscalePair {
  /** 'u vs o': an original enlarged 2x; 'su vs s': a halved photo enlarged back 2x. */
  name: 'u vs o' | 'su vs s';
  /** Pairs where both copies have a scored face. */
  pairs: number;
  /** Pairs where the enlargement scores higher than its source by more than 0.005. */
  enlargedHigher: number;
  /** Median quality gain of the enlargement (its score minus its source's). */
  medianGain: number;
}

export interface UpscaleVariant {
  prefix: 'o' | 'u' | 's' | 'su';
  faces: number;
  medianEyeDistance: number;
  medianBlur: number;
  blurry: number;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};

/** Writes the four copies of `files` into `work/photos` and prepares them; returns the comparison. */
export async function compareUpscaled(images: string, files: string[], work: string, workers: number | null = null): Promise<{ pairs: UpscalePair[]; variants: UpscaleVariant[] }> {
  const dir = path.join(work, 'photos');
  fs.mkdirSync(dir, { recursive: true });
  const stems = files.map((f) => path.parse(f).name);
  for (const [i, f] of files.entries()) {
    const src = path.join(images, f);
    const m = await sharp(src).metadata();
    const W = m.width ?? 0;
    const H = m.height ?? 0;
    const b = stems[i];
    fs.copyFileSync(src, path.join(dir, `o_${b}.jpg`));
    await sharp(src).resize({ width: W * 2, height: H * 2, fit: 'fill', kernel: 'cubic' }).jpeg({ quality: 95 }).toFile(path.join(dir, `u_${b}.jpg`));
    const half = await sharp(src).resize({ width: Math.round(W / 2), height: Math.round(H / 2), fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
    await sharp(half).toFile(path.join(dir, `s_${b}.jpg`));
    await sharp(half).resize({ width: W, height: H, fit: 'fill', kernel: 'cubic' }).jpeg({ quality: 95 }).toFile(path.join(dir, `su_${b}.jpg`));
  }
  const r = await stages.prepareFaces({ source: dir, keep: 4 * files.length, workers, dataDir: path.join(work, 'data'), onProgress: false });
  const byName = new Map<string, { quality: number | null; step: string | null; eye: number; blur: number | null }>();
  for (const v of r.verdicts) if (v.face) byName.set(path.parse(v.item.id).name, { quality: v.quality, step: v.step, eye: v.face.eyeDistance, blur: v.face.blur });
  const pairs: UpscalePair[] = (
    [
      ['u vs o', 'u', 'o'],
      ['su vs s', 'su', 's'],
    ] as const
  ).map(([name, big, small]) => {
    const gains: number[] = [];
    for (const b of stems) {
      const A = byName.get(`${big}_${b}`);
      const C = byName.get(`${small}_${b}`);
      if (A?.quality == null || C?.quality == null) continue;
      gains.push(A.quality - C.quality);
    }
    return { name, pairs: gains.length, enlargedHigher: gains.filter((g) => g > 0.005).length, medianGain: Math.round(median(gains) * 1000) / 1000 };
  });
  const variants = (['o', 'u', 's', 'su'] as const).map((prefix) => {
    const vs = [...byName.entries()].filter(([k]) => k.startsWith(`${prefix}_`) && !(prefix === 's' && k.startsWith('su_'))).map(([, v]) => v);
    return {
      prefix,
      faces: vs.length,
      medianEyeDistance: median(vs.map((v) => v.eye)),
      medianBlur: median(vs.map((v) => v.blur ?? NaN).filter(Number.isFinite)),
      blurry: vs.filter((v) => v.step === 'blurry').length,
    };
  });
  return { pairs, variants };
}

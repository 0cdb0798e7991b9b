/**
 * node build/scripts/bench-crispness.js --data <prepared and clustered data folder> [--out dir] [--eye-distance 64]
 *
 * Crispness (average.crispness: RMS luminance gradient of the eyes-nose-mouth region at a 64 px
 * eye distance) of every average, side by side:
 *  - ours: the warped averages, face-region composite and whole-head composite, raw (256 px, as
 *    averaged) and as displayed (2x Lanczos, unsharp mask);
 *  - the plain pixel mean of the same eye-aligned crops;
 *  - the peer's published averages (../shared/anchors/peer-average-faces, 170x240), their eyes
 *    found by the project's detector (BlazeFace + FaceMesh).
 * Skips the peer column without ../shared. Writes crispness.md into --out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { average, faces, projectPaths, projectRoot, runtime, stages } from 'facetype';
import { FaceDetector } from 'facetype/dist/faces/detector';
import { arg, machine } from './bench-common';

type Eyes = [readonly [number, number], readonly [number, number]];

async function displayed(img: average.RgbImage): Promise<average.RgbImage> {
  const png = await average.averagePng(img);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

/** Eyes scaled from an image to its display version (pixel centres at integers). */
const scaleEyes = (e: Eyes, s: number): Eyes => [
  [(e[0][0] + 0.5) * s - 0.5, (e[0][1] + 0.5) * s - 0.5],
  [(e[1][0] + 0.5) * s - 0.5, (e[1][1] + 0.5) * s - 0.5],
];

async function main(): Promise<void> {
  const data = arg('data');
  if (!data || !fs.existsSync(path.join(data, 'processed', 'clusters.json'))) {
    console.log('benchmark skipped: pass --data <a data folder with prepared and clustered faces>');
    return;
  }
  const out = path.resolve(arg('out') ?? path.join(data, 'crispness'));
  fs.mkdirSync(out, { recursive: true });
  const paths = projectPaths(data);
  const prepared = stages.loadPrepared(paths);
  const groups = stages.loadClusters(paths);
  const k = groups.file.k;
  const masks = stages.maskFolder(paths);
  console.log(`machine ${machine()}; ${prepared.images.length} faces, k = ${k}, masks ${masks ?? 'none'}`);
  const rows: string[][] = [];
  const results: Record<string, average.AverageResult> = {};
  for (const composite of ['face', 'person'] as const) {
    const inputs = stages.faceInputs(prepared, groups, 'mesh468', composite === 'person' ? masks : null);
    results[composite] = await stages.averageClusters(inputs, k, { composite });
  }
  const fmt = (v: number) => v.toFixed(2);
  const eyeDistance = Number(arg('eye-distance') ?? 64);
  const measure = { eyeDistance };
  const entries = (r: average.AverageResult) => [r.global, ...r.groups];
  for (let i = 0; i < entries(results.face).length; i++) {
    const f = entries(results.face)[i];
    const p = entries(results.person)[i];
    const eyes = average.shapeEyes(f.meanShape) as Eyes;
    const eyesP = average.shapeEyes(p.meanShape) as Eyes;
    rows.push([
      f.group === null ? 'all' : `type ${f.group}`,
      String(f.count),
      fmt(average.crispness(f.pixelMean as average.RgbImage, eyes[0], eyes[1], measure)),
      fmt(average.crispness(f.average, eyes[0], eyes[1], measure)),
      fmt(average.crispness(p.average, eyesP[0], eyesP[1], measure)),
      fmt(average.crispness(await displayed(p.average), ...scaleEyes(eyesP, 2), measure)),
    ]);
  }
  const table = [
    `Crispness at a ${eyeDistance} px eye distance (RMS luminance gradient, eyes-nose-mouth region)`,
    '',
    '| average | faces | pixel mean | ours, face region | ours, whole head | ours, whole head as displayed (2x, sharpened) |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  // the peer's averages
  const peerDir = path.join(projectRoot(), '..', 'shared', 'anchors', 'peer-average-faces');
  if (fs.existsSync(peerDir)) {
    const { tf } = await runtime.initBackend();
    const detector = await FaceDetector.load(tf);
    table.push('', '| peer average | size | eye distance (px) | crispness |', '|---|---|---|---|');
    for (const f of fs.readdirSync(peerDir).filter((x) => /\.(jpe?g|png)$/i.test(x)).sort()) {
      const { data: px, info } = await sharp(path.join(peerDir, f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const img = { data: new Uint8Array(px), width: info.width, height: info.height, channels: 3 as const };
      const found = (await detector.detect(img)).filter((d) => d.mesh);
      if (found.length === 0) {
        table.push(`| ${f} | ${info.width}x${info.height} | no face found | |`);
        continue;
      }
      const [r, l] = faces.eyeCentersFromMesh(found[0].mesh as Float32Array, 3);
      table.push(`| ${f} | ${info.width}x${info.height} | ${Math.hypot(l[0] - r[0], l[1] - r[1]).toFixed(1)} | ${fmt(average.crispness(img, r, l, measure))} |`);
    }
  } else {
    table.push('', `(peer averages skipped: ${peerDir} does not exist)`);
  }
  console.log(table.join('\n'));
  const file = path.join(out, `crispness-${eyeDistance}px.md`);
  fs.writeFileSync(file, table.join('\n') + '\n');
  console.log(`written ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

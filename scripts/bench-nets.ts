/**
 * npm run bench:nets [-- --batches 1,16,32 --faces 64]
 *
 * Cost of face-api's three nets per face, in this thread only (onnxruntime-node with one intra-op
 * thread; tfjs WASM with its single thread): faceRecognitionNet (150x150 -> 128-d descriptor),
 * ageGenderNet and faceExpressionNet (112x112), at several batch sizes, on the converted ONNX
 * models (features/onnx-nets.ts) and on face-api itself. Inputs are seeded random pixels (the
 * cost does not depend on the content). Prints wall and CPU ms per face (the best of 3 rounds of
 * about --faces faces, after a warm-up batch) and the time to convert the weights to ONNX.
 */
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { cluster, features, runtime } from 'facetype';
import { arg, machine } from './bench-common';

interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
  forwardInput(input: unknown): TF.Tensor | { age: TF.Tensor; gender: TF.Tensor };
}
interface FaceApi {
  nets: Record<'faceRecognitionNet' | 'ageGenderNet' | 'faceExpressionNet', FaceApiNet>;
  toNetInput(inputs: TF.Tensor3D[]): Promise<unknown>;
  tf: typeof TF;
}

const NETS = [
  { name: 'faceRecognitionNet', key: 'recognition', size: 150 },
  { name: 'ageGenderNet', key: 'ageGender', size: 112 },
  { name: 'faceExpressionNet', key: 'expression', size: 112 },
] as const;

/** Best (lowest) wall and CPU ms per face over 3 rounds of `runs` calls of `fn` on B faces. */
async function time(fn: () => Promise<void>, B: number, runs: number): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up
  let best = { wall: Infinity, cpu: Infinity };
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let r = 0; r < runs; r++) await fn();
    const wall = (performance.now() - t0) / (runs * B);
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000 / (runs * B);
    if (wall < best.wall) best = { wall, cpu };
  }
  return best;
}

async function main(): Promise<void> {
  const batches = (arg('batches') ?? '1,16,32').split(',').map(Number);
  const faces = Number(arg('faces') ?? 64);
  console.log(`bench:nets on ${machine()}; one thread each; ms per face (best of 3 rounds of ~${faces} faces)`);

  const { ort, reason } = runtime.onnxRuntime();
  console.log(`ONNX: ${reason}`);
  let models: ReturnType<typeof features.convertFaceNets> | null = null;
  if (ort) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      models = features.convertFaceNets();
      times.push(performance.now() - t0);
    }
    console.log(`conversion of the 3 nets to ONNX (read + dequantise + encode, checksums cached after the first): ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  }
  const sessions = new Map<string, runtime.OnnxSession>();
  if (ort && models) for (const n of NETS) sessions.set(n.name, await runtime.OnnxSession.create(ort, models[n.key], 1));

  const { tf } = await runtime.initBackend({ prefer: 'wasm' });
  const pkgDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const faceapi = require(path.join(pkgDir, 'dist', 'face-api.node-wasm.js')) as FaceApi;
  const ftf = faceapi.tf ?? tf;
  const dir = runtime.modelDir('face_recognition');
  for (const n of NETS) await faceapi.nets[n.name].loadFromDisk(dir);

  const rows: string[][] = [['net', 'batch', 'ORT wall', 'ORT cpu', 'tfjs wall', 'tfjs cpu', 'speed-up (wall)']];
  const sums = new Map<number, { ort: number; tfjs: number }>();
  const random = cluster.mulberry32(1);
  for (const B of batches) {
    const runs = Math.max(1, Math.round(faces / B));
    for (const n of NETS) {
      const S = n.size;
      const pixels = Float32Array.from({ length: B * S * S * 3 }, () => Math.floor(random() * 256));
      let o = { wall: NaN, cpu: NaN };
      const session = sessions.get(n.name);
      if (session) o = await time(async () => void (await session.run({ input: { data: pixels, dims: [B, S, S, 3] } })), B, runs);
      const tensors = Array.from({ length: B }, (_, i) => ftf.tensor3d(pixels.subarray(i * S * S * 3, (i + 1) * S * S * 3), [S, S, 3], 'int32'));
      const input = await faceapi.toNetInput(tensors);
      const t = await time(
        async () => {
          const out = faceapi.nets[n.name].forwardInput(input);
          const ts = out instanceof ftf.Tensor ? [out] : [out.age, out.gender];
          for (const x of ts) await x.data();
          ftf.dispose(ts);
        },
        B,
        runs,
      );
      ftf.dispose(tensors);
      const s = sums.get(B) ?? { ort: 0, tfjs: 0 };
      sums.set(B, { ort: s.ort + o.wall, tfjs: s.tfjs + t.wall });
      rows.push([n.name, String(B), o.wall.toFixed(2), o.cpu.toFixed(2), t.wall.toFixed(2), t.cpu.toFixed(2), (t.wall / o.wall).toFixed(1) + 'x']);
    }
  }
  for (const [B, s] of sums) rows.push(['all three', String(B), s.ort.toFixed(2), '', s.tfjs.toFixed(2), '', (s.tfjs / s.ort).toFixed(1) + 'x']);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

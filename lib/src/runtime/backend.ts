/**
 * TensorFlow.js backend selection: the native `@tensorflow/tfjs-node` backend when it is installed
 * and really registers (an optional dependency), else tfjs + WASM (SIMD). The pure-JS cpu backend
 * is never used: it is ~35x slower.
 *
 * FACETYPE_BACKEND=wasm forces WASM even when tfjs-node is present.
 */
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm';

export interface BackendInfo {
  /** The registered tfjs backend. */
  name: BackendName;
  /** WASM SIMD in use (always false for the native backend). */
  simd: boolean;
  /** tfjs-core version. */
  version: string;
  /** Why this backend was chosen (printed once). */
  reason: string;
}

/** How a thread chooses its backend (config.ts reads FACETYPE_BACKEND and FACETYPE_WASM_CONCAT). */
export interface BackendOptions {
  /** 'auto': tfjs-node when it is installed and registers, else WASM; 'wasm': always WASM. */
  prefer?: 'auto' | 'wasm';
  /** 'fast': our Concat kernel (default); 'original': tfjs-backend-wasm's own (for A/B tests). */
  wasmConcat?: 'fast' | 'original';
  /** 'auto': run the nets that have an ONNX converter on onnxruntime-node when it loads (runtime/onnx.ts); 'off': tfjs only. */
  onnx?: 'auto' | 'off';
}

let cached: { tf: typeof TF; info: BackendInfo } | null = null;

function tryNative(options: BackendOptions): typeof TF | null {
  if (options.prefer === 'wasm') return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tfn = require('@tensorflow/tfjs-node') as typeof TF;
    return tfn;
  } catch {
    return null;
  }
}

/** Folder holding tfjs-backend-wasm's .wasm binaries (loaded from disk, never from a CDN). */
export function wasmBinariesDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/**
 * Initialises tfjs once per thread and returns it with what was chosen.
 * Every worker thread calls this for its own backend instance.
 */
export async function initBackend(options: BackendOptions = {}): Promise<{ tf: typeof TF; info: BackendInfo }> {
  if (cached) return cached;
  const native = tryNative(options);
  if (native) {
    try {
      await native.setBackend('tensorflow');
      await native.ready();
      if (native.getBackend() === 'tensorflow') {
        cached = {
          tf: native,
          info: { name: 'tensorflow', simd: false, version: native.version_core, reason: '@tensorflow/tfjs-node is installed and its native backend registered' },
        };
        return cached;
      }
    } catch {
      // fall through to WASM
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as typeof TF;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string, usePlatformFetch?: boolean): void };
  wasm.setWasmPaths(wasmBinariesDir());
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('Could not initialise the tfjs WASM backend (tfjs-backend-wasm failed to load its .wasm binary)');
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  if (options.wasmConcat !== 'original') fastWasmConcat(tf);
  const why = native ? 'FACETYPE_BACKEND=wasm or the native backend failed to register' : '@tensorflow/tfjs-node is not installed (optional accelerator)';
  cached = { tf, info: { name: 'wasm', simd, version: tf.version_core, reason: why } };
  return cached;
}

/**
 * tfjs for a net's loader: the thread's tfjs itself, or a function that starts it (initBackend) on
 * first use, so a worker whose nets all run on onnxruntime-node never loads tfjs and its WASM heap.
 */
export type TfjsSource = typeof TF | (() => Promise<{ tf: typeof TF; info: BackendInfo }>);

/** A TfjsSource that starts tfjs with these options the first time a net needs it. */
export function lazyTfjs(options: BackendOptions = {}): TfjsSource {
  return () => initBackend(options);
}

/** The tfjs of a source (starting it when it is lazy) and its backend's name. */
export async function resolveTfjs(source: TfjsSource): Promise<{ tf: typeof TF; backend: BackendName }> {
  if (typeof source === 'function') {
    const { tf, info } = await source();
    return { tf, backend: info.name };
  }
  return { tf: source, backend: source.getBackend() === 'tensorflow' ? 'tensorflow' : 'wasm' };
}

/** Whether tfjs was started in this thread (by initBackend). */
export function tfjsStarted(): BackendInfo | null {
  return cached?.info ?? null;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * tfjs-backend-wasm 4.22 concatenates in JavaScript with a `subarray` + `set` per outer index: on
 * the channel axis of an NHWC tensor that is one tiny copy per pixel per input, 13% of face-api's
 * expression/age nets' time here. This kernel copies with plain indexed loops (same result) and
 * falls back to the original kernel for strings and empty tensors.
 */
export function fastWasmConcat(tf: typeof TF): boolean {
  const original = tf.getKernel('Concat', 'wasm');
  if (!original || (original as unknown as { facetype?: boolean }).facetype) return false;
  const kernelFunc = (args: { inputs: TF.TensorInfo[]; backend: unknown; attrs?: Record<string, unknown> }) => {
    const inputs = args.inputs.filter((t) => t.shape.reduce((a, b) => a * b, 1) > 0);
    if (inputs.length < 2 || inputs[0].dtype === 'string') return (original.kernelFunc as (a: unknown) => TF.TensorInfo)(args);
    const rank = inputs[0].shape.length;
    let axis = Number((args.attrs?.axis as number | number[] | undefined) ?? 0);
    if (Array.isArray(args.attrs?.axis)) axis = (args.attrs!.axis as number[])[0];
    if (axis < 0) axis += rank;
    const outShape = [...inputs[0].shape];
    outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const outVals = backend.typedArrayFromHeap(out);
    const outer = inputs[0].shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = inputs.map((t) => t.shape.slice(axis).reduce((a, b) => a * b, 1));
    const total = inner.reduce((a, b) => a + b, 0);
    const vals = inputs.map((t) => backend.typedArrayFromHeap(t));
    for (let i = 0, start = 0; i < vals.length; start += inner[i], i++) {
      const src = vals[i];
      const w = inner[i];
      if (w >= 4096) {
        for (let b = 0; b < outer; b++) outVals.set(src.subarray(b * w, b * w + w), b * total + start);
      } else {
        for (let b = 0, o = start, s = 0; b < outer; b++, o += total) for (let k = 0; k < w; k++) outVals[o + k] = src[s++];
      }
    }
    return out;
  };
  tf.unregisterKernel('Concat', 'wasm');
  const config = { kernelName: 'Concat', backendName: 'wasm', kernelFunc, facetype: true };
  tf.registerKernel(config as unknown as TF.KernelConfig);
  return true;
}

/** One-line description of a backend for logs and notebooks. */
export function describeBackend(info: BackendInfo): string {
  return info.name === 'wasm'
    ? `tfjs ${info.version} on WASM${info.simd ? ' (SIMD)' : ' (no SIMD)'}: ${info.reason}`
    : `tfjs ${info.version} on native TensorFlow (tfjs-node): ${info.reason}`;
}

/** Whether the native backend would be used, without initialising anything heavy. */
export function nativeBackendAvailable(options: BackendOptions = {}): boolean {
  if (options.prefer === 'wasm') return false;
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

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

let cached: { tf: typeof TF; info: BackendInfo } | null = null;

function tryNative(): typeof TF | null {
  if ((process.env.FACETYPE_BACKEND ?? '').toLowerCase() === 'wasm') return null;
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
export async function initBackend(): Promise<{ tf: typeof TF; info: BackendInfo }> {
  if (cached) return cached;
  const native = tryNative();
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
  const why = native ? 'FACETYPE_BACKEND=wasm or the native backend failed to register' : '@tensorflow/tfjs-node is not installed (optional accelerator)';
  cached = { tf, info: { name: 'wasm', simd, version: tf.version_core, reason: why } };
  return cached;
}

/** One-line description of a backend for logs and notebooks. */
export function describeBackend(info: BackendInfo): string {
  return info.name === 'wasm'
    ? `tfjs ${info.version} on WASM${info.simd ? ' (SIMD)' : ' (no SIMD)'}: ${info.reason}`
    : `tfjs ${info.version} on native TensorFlow (tfjs-node): ${info.reason}`;
}

/** Whether the native backend would be used, without initialising anything heavy. */
export function nativeBackendAvailable(): boolean {
  if ((process.env.FACETYPE_BACKEND ?? '').toLowerCase() === 'wasm') return false;
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

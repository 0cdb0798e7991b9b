/**
 * tfjs weight manifests decoded without tfjs: the one decoder behind both ONNX converters (graph
 * models in onnx-graph.ts, face-api's weight maps in features/onnx-nets.ts). Values come out as tfjs's
 * decodeWeights gives them: float32 and int32 copied; float16 widened; affine uint8/uint16
 * quantisation dequantised as q * scale + min (rounded to float32).
 */

/** One entry of a tfjs weights manifest (the part we read; tfjs's WeightsManifestEntry fits). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** A decoded weight: float32 (or int32 for int32 weights) values with their (TF) dims. */
export interface DecodedWeight {
  dims: number[];
  data: Float32Array | Int32Array;
}

/** IEEE half -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Decodes weights laid out one after another in `data` (the manifest's .bin files concatenated) by
 * name. Throws, naming `what` (a model or manifest file), on an unsupported dtype or quantisation and
 * when the specs and the bytes do not cover each other exactly.
 */
export function decodeWeights(specs: readonly WeightSpec[], data: ArrayBuffer | Uint8Array, what: string): Map<string, DecodedWeight> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const w of specs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`${what}: weight ${w.name} has unsupported dtype ${w.dtype} (only float32 and int32)`);
    const size = !q ? 4 : q.dtype === 'float16' || q.dtype === 'uint16' ? 2 : q.dtype === 'uint8' ? 1 : 0;
    if (!size || (q && q.dtype !== 'float16' && (q.scale === undefined || q.min === undefined))) {
      throw new Error(`${what}: weight ${w.name} has unsupported quantization ${JSON.stringify(q)} (float16, or uint8/uint16 with scale and min)`);
    }
    if (offset + n * size > bytes.byteLength) throw new Error(`${what}: the weight files end before weight ${w.name}`);
    let values: Float32Array | Int32Array;
    if (!q) {
      // a copy (a Node Buffer's slice() would be a view of the whole pool)
      const copy = Uint8Array.from(bytes.subarray(offset, offset + 4 * n)).buffer;
      values = w.dtype === 'float32' ? new Float32Array(copy) : new Int32Array(copy);
    } else {
      const f = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const raw = size === 2 ? view.getUint16(offset + 2 * i, true) : view.getUint8(offset + i);
        f[i] = q.dtype === 'float16' ? halfToFloat(raw) : raw * q.scale! + q.min!;
      }
      values = w.dtype === 'int32' ? Int32Array.from(f, Math.round) : f;
    }
    offset += n * size;
    out.set(w.name, { dims: [...w.shape], data: values });
  }
  if (offset !== bytes.byteLength) throw new Error(`${what}: the weight specs cover ${offset} bytes but the weight files hold ${bytes.byteLength}`);
  return out;
}

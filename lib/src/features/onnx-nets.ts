/**
 * face-api's three nets (faceRecognitionNet, ageGenderNet, faceExpressionNet) as ONNX graphs, built
 * in memory from face-api's own weight files (the *-weights_manifest.json and its shards, read and
 * dequantised exactly as tfjs does) so onnxruntime-node can run them on its native CPU runtime.
 * Each graph reproduces face-api's forwardInput (node_modules/@vladmandic/face-api/src):
 * - input: [batch, size, size, 3] float pixel values 0..255 (NHWC, what toBatchTensor gives for a
 *   square input already at the net size), transposed to NCHW inside;
 * - normalisation: (x - meanRgb) / 255 with meanRgb [122.782, 117.001, 104.298];
 * - TF 'same' padding becomes explicit ONNX pads computed the TF way (the odd pixel at the end);
 *   max-pool pads never win (ONNX MaxPool ignores them, as TF does); average pools are 'valid'.
 * Outputs: `descriptor` [batch, 128] (the fc output, as face-api returns it); `age` [batch, 1] and
 * `gender` [batch, 2] (softmax; column 0 is the male probability); `expressions` [batch, 7] (softmax).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from '../io/onnx-proto';
import { decodeWeights, type WeightSpec } from '../runtime/weights';

/** One weight tensor in tfjs layout (filters HWIO, depthwise filters [kh, kw, C, 1], fc [in, out]). */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/**
 * Reads a tfjs weights manifest (`<dir>/<model>-weights_manifest.json`) and its shard files into
 * named float32 tensors, dequantised as tfjs does (runtime/weights.ts).
 */
export function readWeightMap(dir: string, model: string): Map<string, Weight> {
  const manifestFile = path.join(dir, `${model}-weights_manifest.json`);
  if (!fs.existsSync(manifestFile)) throw new Error(`Weights manifest missing: ${manifestFile} (reinstall @vladmandic/face-api with npm ci)`);
  const groups = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ManifestGroup[];
  const out = new Map<string, Weight>();
  for (const group of groups) {
    const what = `${manifestFile} (${group.paths.join(', ')})`;
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
    for (const [name, w] of decodeWeights(group.weights, buf, what)) {
      if (!(w.data instanceof Float32Array)) throw new Error(`${what}: weight ${name} is not float32; only float32 weights are supported`);
      out.set(name, { shape: w.dims, data: w.data });
    }
  }
  return out;
}

/** face-api's mean RGB, subtracted before dividing by 255 (ops/normalize.ts). */
const MEAN_RGB = [122.782, 117.001, 104.298];

/** [channels, height, width] of an NCHW value (the batch is symbolic). */
type Chw = [number, number, number];

/** Builds an NCHW ONNX graph from face-api's named weights, tracking each value's shape. */
class NetGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly shapes = new Map<string, Chw>();
  private readonly used = new Set<string>();
  private n = 0;

  constructor(
    private readonly weights: Map<string, Weight>,
    private readonly what: string,
  ) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }

  /** A named weight, checked for its rank. */
  weight(name: string, rank: number): Weight {
    const w = this.weights.get(name);
    if (!w) throw new Error(`${this.what}: weight ${name} missing from the weights manifest (a different face-api model version?)`);
    if (w.shape.length !== rank) throw new Error(`${this.what}: weight ${name} has shape [${w.shape}], expected rank ${rank}`);
    this.used.add(name);
    return w;
  }

  /** Throws when the manifest holds weights the graph did not use (the architecture does not match). */
  checkAllUsed(): void {
    const unused = [...this.weights.keys()].filter((k) => !this.used.has(k));
    if (unused.length) throw new Error(`${this.what}: weights not used by the converter: ${unused.join(', ')}`);
  }

  shape(x: string): Chw {
    const s = this.shapes.get(x);
    if (!s) throw new Error(`internal: no shape for ${x}`);
    return s;
  }

  constant(prefix: string, dims: number[], data: Float32Array | { int64: number[] }): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, data });
    return name;
  }

  node(op: string, inputs: string[], shape: Chw | null, attrs?: OnnxNode['attrs']): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    if (shape) this.shapes.set(out, shape);
    return out;
  }

  /** The NHWC input transposed to NCHW and normalised as face-api does. */
  input(name: string, size: number): string {
    this.shapes.set(name, [3, size, size]);
    const t = this.node('Transpose', [name], [3, size, size], { perm: [0, 3, 1, 2] });
    const mean = this.constant('mean_rgb', [1, 3, 1, 1], Float32Array.from(MEAN_RGB));
    const centred = this.node('Sub', [t, mean], [3, size, size]);
    const k255 = this.constant('k255', [], Float32Array.from([255]));
    return this.node('Div', [centred, k255], [3, size, size]);
  }

  /**
   * Output size and [begin, end] pads of one spatial axis, as TF computes them: 'valid' takes no
   * padding; 'same' gives ceil(n / stride) outputs with the odd padded pixel at the end.
   */
  private static axis(n: number, k: number, stride: number, padding: 'same' | 'valid'): [number, number, number] {
    if (padding === 'valid') return [Math.floor((n - k) / stride) + 1, 0, 0];
    const out = Math.ceil(n / stride);
    const total = Math.max((out - 1) * stride + k - n, 0);
    return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
  }

  /** Conv with an OIHW weight [co, ci/group, k, k] and an optional bias. */
  private convRaw(x: string, w: Float32Array, dims: number[], bias: Float32Array | null, stride: number, padding: 'same' | 'valid', group: number): string {
    const [, h, wd] = this.shape(x);
    const k = dims[2];
    const [oh, pt, pb] = NetGraph.axis(h, k, stride, padding);
    const [ow, pl, pr] = NetGraph.axis(wd, dims[3], stride, padding);
    const inputs = [x, this.constant('w', dims, w)];
    if (bias) inputs.push(this.constant('b', [dims[0]], bias));
    return this.node('Conv', inputs, [dims[0], oh, ow], {
      kernel_shape: [dims[2], dims[3]],
      strides: [stride, stride],
      pads: [pt, pl, pb, pr],
      group,
    });
  }

  /** tf.conv2d(x, filters HWIO, stride, padding) + bias. */
  conv(x: string, prefix: string, stride: number, padding: 'same' | 'valid'): string {
    const f = this.weight(`${prefix}/filters`, 4);
    const b = this.weight(`${prefix}/bias`, 1);
    const [kh, kw, ci, co] = f.shape;
    if (ci !== this.shape(x)[0]) throw new Error(`${this.what}: ${prefix}/filters expects ${ci} channels, the graph has ${this.shape(x)[0]}`);
    const oihw = new Float32Array(f.data.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) oihw[((o * ci + i) * kh + y) * kw + xx] = f.data[((y * kw + xx) * ci + i) * co + o];
    return this.convRaw(x, oihw, [co, ci, kh, kw], b.data, stride, padding, 1);
  }

  /** tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias (common/depthwiseSeparableConv.ts). */
  separable(x: string, prefix: string, stride: number): string {
    const d = this.weight(`${prefix}/depthwise_filter`, 4);
    const p = this.weight(`${prefix}/pointwise_filter`, 4);
    const b = this.weight(`${prefix}/bias`, 1);
    const [kh, kw, c, mult] = d.shape;
    if (mult !== 1 || c !== this.shape(x)[0]) throw new Error(`${this.what}: ${prefix}/depthwise_filter has shape [${d.shape}] for ${this.shape(x)[0]} channels`);
    const dw = new Float32Array(d.data.length);
    for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < c; i++) dw[(i * kh + y) * kw + xx] = d.data[(y * kw + xx) * c + i];
    const depthwise = this.convRaw(x, dw, [c, 1, kh, kw], null, stride, 'same', c);
    const [, , ci, co] = p.shape;
    const pw = new Float32Array(p.data.length);
    for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) pw[o * ci + i] = p.data[i * co + o];
    return this.convRaw(depthwise, pw, [co, ci, 1, 1], b.data, 1, 'valid', 1);
  }

  /** x * weights + biases per channel (faceRecognitionNet's scale layer). */
  scale(x: string, prefix: string): string {
    const s = this.shape(x);
    const w = this.weight(`${prefix}/weights`, 1);
    const b = this.weight(`${prefix}/biases`, 1);
    const m = this.node('Mul', [x, this.constant('scale_w', [s[0], 1, 1], w.data)], s);
    return this.node('Add', [m, this.constant('scale_b', [s[0], 1, 1], b.data)], s);
  }

  relu(x: string): string {
    return this.node('Relu', [x], this.shape(x));
  }

  add(a: string, b: string): string {
    const sa = this.shape(a);
    const sb = this.shape(b);
    if (sa.join() !== sb.join()) throw new Error(`internal: adding [${sa}] and [${sb}]`);
    return this.node('Add', [a, b], sa);
  }

  pool(op: 'MaxPool' | 'AveragePool', x: string, k: number, stride: number, padding: 'same' | 'valid'): string {
    const [c, h, w] = this.shape(x);
    const [oh, pt, pb] = NetGraph.axis(h, k, stride, padding);
    const [ow, pl, pr] = NetGraph.axis(w, k, stride, padding);
    if (op === 'AveragePool' && pt + pb + pl + pr > 0) throw new Error('internal: padded average pools are not converted');
    return this.node(op, [x], [c, oh, ow], { kernel_shape: [k, k], strides: [stride, stride], pads: [pt, pl, pb, pr] });
  }

  /** Zero padding at the end of the channel, height and width axes. */
  padEnd(x: string, dc: number, dh: number, dw: number): string {
    const [c, h, w] = this.shape(x);
    const pads = this.constant('pads', [8], { int64: [0, 0, 0, 0, 0, dc, dh, dw] });
    return this.node('Pad', [x, pads], [c + dc, h + dh, w + dw]);
  }

  /**
   * A fully connected layer: x (a [batch, C, 1, 1] value, flattened first, or a [batch, C] value
   * given with its width) times fc weights [in, out], plus the bias when the net has one.
   */
  fc(x: string, prefix: string, width?: number, withBias = true): string {
    let flat = x;
    if (width === undefined) {
      const [c, h, w] = this.shape(x);
      if (h !== 1 || w !== 1) throw new Error(`internal: fc ${prefix} on a [${c}, ${h}, ${w}] value`);
      flat = this.node('Flatten', [x], null, { axis: 1 });
      width = c;
    }
    const wt = withBias ? this.weight(`${prefix}/weights`, 2) : this.weight(prefix, 2);
    if (wt.shape[0] !== width) throw new Error(`${this.what}: ${prefix} expects ${wt.shape[0]} inputs, the graph has ${width}`);
    const mm = this.node('MatMul', [flat, this.constant('fc_w', wt.shape, wt.data)], null);
    if (!withBias) return mm;
    const b = this.weight(`${prefix}/bias`, 1);
    return this.node('Add', [mm, this.constant('fc_b', [b.data.length], b.data)], null);
  }

  /** Renames a value to an output name (Identity). */
  output(x: string, name: string): void {
    this.nodes.push({ op: 'Identity', inputs: [x], outputs: [name] });
  }
}

function encode(g: NetGraph, name: string, size: number, outputs: { name: string; dim: number }[]): Uint8Array {
  g.checkAllUsed();
  return encodeOnnxModel({
    name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: 'input', shape: ['batch', size, size, 3] }],
    outputs: outputs.map((o) => ({ name: o.name, shape: ['batch', o.dim] })),
  });
}

/** faceRecognitionNet (faceRecognitionNet/FaceRecognitionNet.ts): ResNet-34-like, 150x150 in, 128-d out. */
export function faceRecognitionOnnx(weights: Map<string, Weight>): Uint8Array {
  const g = new NetGraph(weights, 'faceRecognitionNet');
  // convLayer: conv + bias, scale layer, optional relu
  const convLayer = (x: string, prefix: string, stride: number, relu: boolean, padding: 'same' | 'valid'): string => {
    const out = g.scale(g.conv(x, `${prefix}/conv`, stride, padding), `${prefix}/scale`);
    return relu ? g.relu(out) : out;
  };
  const residual = (x: string, prefix: string): string => {
    let out = convLayer(x, `${prefix}/conv1`, 1, true, 'same');
    out = convLayer(out, `${prefix}/conv2`, 1, false, 'same');
    return g.relu(g.add(out, x));
  };
  // residualDown: the strided branch is zero-padded at the bottom/right when the 2x2 average pool
  // of the shortcut is one pixel larger, and the shortcut gets zero channels when the width doubles
  const residualDown = (x: string, prefix: string): string => {
    let out = convLayer(x, `${prefix}/conv1`, 2, true, 'valid');
    out = convLayer(out, `${prefix}/conv2`, 1, false, 'same');
    let pooled = g.pool('AveragePool', x, 2, 2, 'valid');
    const [oc, oh, ow] = g.shape(out);
    const [pc, ph, pw] = g.shape(pooled);
    if (ph !== oh || pw !== ow) {
      if (ph !== oh + 1 || pw !== ow + 1) throw new Error(`internal: residualDown ${prefix} shapes [${g.shape(out)}] vs [${g.shape(pooled)}]`);
      out = g.padEnd(out, 0, 1, 1);
    }
    if (pc !== oc) pooled = g.padEnd(pooled, oc - pc, 0, 0);
    return g.relu(g.add(pooled, out));
  };

  let out = g.input('input', 150);
  out = convLayer(out, 'conv32_down', 2, true, 'valid');
  out = g.pool('MaxPool', out, 3, 2, 'valid');
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, p);
  out = residualDown(out, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, p);
  out = residualDown(out, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) out = residual(out, p);
  out = residualDown(out, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) out = residual(out, p);
  out = residualDown(out, 'conv256_down_out');
  const avg = g.node('ReduceMean', [out], null, { axes: [2, 3], keepdims: 0 });
  g.output(g.fc(avg, 'fc', g.shape(out)[0], false), 'descriptor');
  return encode(g, 'faceRecognitionNet', 150, [{ name: 'descriptor', dim: 128 }]);
}

/** ageGenderNet (ageGenderNet/AgeGenderNet.ts): TinyXception(2) backbone, 7x7 average pool, two fc heads. */
export function ageGenderOnnx(weights: Map<string, Weight>): Uint8Array {
  const g = new NetGraph(weights, 'ageGenderNet');
  // xception/TinyXception.ts
  const reductionBlock = (x: string, prefix: string, activateInput: boolean): string => {
    let out = activateInput ? g.relu(x) : x;
    out = g.separable(out, `${prefix}/separable_conv0`, 1);
    out = g.separable(g.relu(out), `${prefix}/separable_conv1`, 1);
    out = g.pool('MaxPool', out, 3, 2, 'same');
    return g.add(out, g.conv(x, `${prefix}/expansion_conv`, 2, 'same'));
  };
  const mainBlock = (x: string, prefix: string): string => {
    let out = g.separable(g.relu(x), `${prefix}/separable_conv0`, 1);
    out = g.separable(g.relu(out), `${prefix}/separable_conv1`, 1);
    out = g.separable(g.relu(out), `${prefix}/separable_conv2`, 1);
    return g.add(out, x);
  };
  let out = g.input('input', 112);
  out = g.relu(g.conv(out, 'entry_flow/conv_in', 2, 'same'));
  out = reductionBlock(out, 'entry_flow/reduction_block_0', false);
  out = reductionBlock(out, 'entry_flow/reduction_block_1', true);
  for (let i = 0; i < 2; i++) out = mainBlock(out, `middle_flow/main_block_${i}`);
  out = reductionBlock(out, 'exit_flow/reduction_block', true);
  out = g.relu(g.separable(out, 'exit_flow/separable_conv', 1));
  const pooled = g.pool('AveragePool', out, 7, 2, 'valid');
  if (g.shape(pooled).slice(1).join() !== '1,1') throw new Error(`internal: ageGenderNet pooled to [${g.shape(pooled)}]`);
  g.output(g.fc(pooled, 'fc/age'), 'age');
  g.output(g.node('Softmax', [g.fc(pooled, 'fc/gender')], null, { axis: -1 }), 'gender');
  return encode(g, 'ageGenderNet', 112, [
    { name: 'age', dim: 1 },
    { name: 'gender', dim: 2 },
  ]);
}

/** faceExpressionNet (faceExpressionNet/FaceExpressionNet.ts): FaceFeatureExtractor's 4 dense blocks, 7x7 average pool, fc, softmax. */
export function faceExpressionOnnx(weights: Map<string, Weight>): Uint8Array {
  const g = new NetGraph(weights, 'faceExpressionNet');
  // faceFeatureExtractor/denseBlock.ts: denseBlock4 (scale down by 2)
  const denseBlock4 = (x: string, prefix: string, first: boolean): string => {
    const out1 = g.relu(first ? g.conv(x, `${prefix}/conv0`, 2, 'same') : g.separable(x, `${prefix}/conv0`, 2));
    const out2 = g.separable(out1, `${prefix}/conv1`, 1);
    const in3 = g.relu(g.add(out1, out2));
    const out3 = g.separable(in3, `${prefix}/conv2`, 1);
    const in4 = g.relu(g.add(out1, g.add(out2, out3)));
    const out4 = g.separable(in4, `${prefix}/conv3`, 1);
    return g.relu(g.add(out1, g.add(out2, g.add(out3, out4))));
  };
  let out = g.input('input', 112);
  out = denseBlock4(out, 'dense0', true);
  for (const p of ['dense1', 'dense2', 'dense3']) out = denseBlock4(out, p, false);
  const pooled = g.pool('AveragePool', out, 7, 2, 'valid');
  if (g.shape(pooled).slice(1).join() !== '1,1') throw new Error(`internal: faceExpressionNet pooled to [${g.shape(pooled)}]`);
  g.output(g.node('Softmax', [g.fc(pooled, 'fc')], null, { axis: -1 }), 'expressions');
  return encode(g, 'faceExpressionNet', 112, [{ name: 'expressions', dim: 7 }]);
}

/**
 * tfjs graph model -> ONNX, in memory: the pretrained graph models the tfjs path runs (model.json
 * topology + weight specs + .bin, read as loadGraphModel reads them) rebuilt as an ONNX graph for
 * onnxruntime-node (runtime/onnx.ts). Covers the ops of BlazeFace (front, full), FaceMesh and the
 * selfie and meet segmentation nets: _FusedConv2D (BiasAdd, Relu, Relu6, Prelu), Conv2D,
 * (Fused)DepthwiseConv2dNative, Conv2DBackpropInput, Add/AddV2/Sub/Mul/BiasAdd, AddN, MatMul, Relu,
 * Relu6, Prelu, Sigmoid, MaxPool, AvgPool, ResizeBilinear, Pad/PadV2, Reshape, ConcatV2, Identity; any
 * other op is an error naming it (rvm's control flow, Shape and friends are not converted).
 *
 * Layout: the ONNX model takes the same NHWC input as the tfjs model (so the pre-processing is shared),
 * transposes it once to NCHW and keeps 4-D activations NCHW; a tensor goes back to NHWC only where an
 * op's meaning depends on the layout (Reshape, graph outputs). The batch dimension is symbolic: a Reshape
 * whose target starts with the batch (1 or -1) copies the input's batch instead, so models exported with
 * a fixed batch of 1 (BlazeFace) run batched.
 */
import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from '../io/onnx-proto';
import { readGraphModelFiles, type GraphModelFiles, type ModelName } from './models';
import { decodeWeights, type DecodedWeight } from './weights';

/** The parts of a TensorFlow NodeDef (as JSON in model.json) the converter reads. */
interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { i?: (string | number)[]; s?: string[] };
  shape?: { dim?: { size: string | number }[] };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

/** A converted model: its ONNX bytes, its NHWC input and its outputs (named after the tfjs output nodes). */
export interface ConvertedGraph {
  model: Uint8Array;
  input: { name: string; shape: (number | string)[] };
  outputs: { name: string; shape: (number | string)[] }[];
  /** The tfjs ops the graph uses, with counts. */
  ops: Record<string, number>;
}

/** A constant: float32 or int32 values with their (TF) dims. */
type Const = DecodedWeight;

type Layout = 'nchw' | 'plain';

/** A converted tensor: its ONNX name, layout, and logical (TF, NHWC) shape with 'batch' as the batch. */
interface Value {
  name: string;
  layout: Layout;
  shape: (number | string)[];
}

const SUPPORTED = new Set([
  'Const', 'Placeholder', 'Identity', '_FusedConv2D', 'Conv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative',
  'Conv2DBackpropInput', 'Add', 'AddV2', 'Sub', 'Mul', 'BiasAdd', 'AddN', 'MatMul', 'ResizeBilinear', 'Relu', 'Relu6', 'Prelu', 'Sigmoid', 'MaxPool', 'AvgPool', 'Pad', 'PadV2', 'Reshape', 'ConcatV2',
]);

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function str(a: TfAttrValue | undefined): string {
  return a?.s !== undefined ? Buffer.from(a.s, 'base64').toString('utf8') : '';
}

function ints(a: TfAttrValue | undefined): number[] {
  return (a?.list?.i ?? []).map(Number);
}

/** Permutes a constant's axes. */
function transposeConst(c: Const, perm: number[]): Const {
  const dims = perm.map((p) => c.dims[p]);
  const strides = c.dims.map((_, i) => c.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(c.data.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += idx[k] * strides[perm[k]];
    out[o] = c.data[src];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return { dims, data: out };
}

/** Output size of a convolution or pooling window along one axis (TF's SAME / VALID). */
function windowOut(size: number | string, k: number, stride: number, dilation: number, padding: string): number | string {
  if (typeof size !== 'number') return size;
  const eff = (k - 1) * dilation + 1;
  return padding === 'SAME' ? Math.ceil(size / stride) : Math.ceil((size - eff + 1) / stride);
}

/** Converts a tfjs graph model's files to ONNX; `model` names it in errors. */
export function convertGraphModel(files: GraphModelFiles, model: string): ConvertedGraph {
  const topology = files.modelTopology as { node?: TfNode[] } | undefined;
  const tfNodes = topology?.node;
  if (!tfNodes) throw new Error(`ONNX conversion of ${model}: model.json has no modelTopology.node`);
  const ops: Record<string, number> = {};
  for (const n of tfNodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const unsupported = Object.keys(ops).filter((op) => !SUPPORTED.has(op));
  if (unsupported.length) {
    throw new Error(
      `ONNX conversion of ${model}: unsupported tfjs op(s) ${unsupported.join(', ')} (runtime/onnx-graph.ts converts ${[...SUPPORTED].join(', ')}); ` +
        'run this model on tfjs (FACETYPE_ONNX=off) or add the op to the converter',
    );
  }
  const weights = decodeWeights(files.weightSpecs, files.weightData, `ONNX conversion of ${model}`);
  const consts = new Map<string, Const>();
  const values = new Map<string, Value>();
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const fresh = (base: string): string => `${base}__${counter++}`;
  const addFloat = (base: string, c: Const): string => {
    const name = fresh(base);
    initializers.push({ name, dims: c.dims, data: c.data instanceof Float32Array ? c.data : Float32Array.from(c.data) });
    return name;
  };
  const addInt64 = (base: string, v: number[]): string => {
    const name = fresh(base);
    initializers.push({ name, dims: [v.length], data: { int64: v } });
    return name;
  };
  const ref = (input: string): string => input.replace(/^\^/, '').replace(/:0$/, '');
  const constOf = (node: TfNode, i: number): Const => {
    const c = consts.get(ref(node.input?.[i] ?? ''));
    if (!c) throw new Error(`ONNX conversion of ${model}: input ${i} of ${node.op} node ${node.name} must be a constant`);
    return c;
  };
  const valueOf = (node: TfNode, i: number): Value => {
    const name = ref(node.input?.[i] ?? '');
    const v = values.get(name);
    if (v) return v;
    const c = consts.get(name);
    if (c) return { name: addFloat(name, c), layout: 'plain', shape: c.dims };
    throw new Error(`ONNX conversion of ${model}: input ${name} of ${node.name} is not computed before it is used`);
  };
  const transposed = new Map<string, Value>();
  /** The value in the other layout (a Transpose node, made once per tensor). */
  const toLayout = (v: Value, layout: Layout): Value => {
    if (v.layout === layout) return v;
    if (v.shape.length !== 4) throw new Error(`ONNX conversion of ${model}: cannot change the layout of ${v.name} of rank ${v.shape.length}`);
    const key = `${v.name}->${layout}`;
    const hit = transposed.get(key);
    if (hit) return hit;
    const out: Value = { name: fresh(`${v.name}_${layout}`), layout, shape: v.shape };
    nodes.push({ op: 'Transpose', inputs: [v.name], outputs: [out.name], attrs: { perm: layout === 'nchw' ? NHWC_TO_NCHW : NCHW_TO_NHWC } });
    transposed.set(key, out);
    return out;
  };
  /** A constant that broadcasts against an NHWC tensor, made to broadcast against the NCHW one. */
  const broadcastNchw = (c: Const): Const => {
    if (c.dims.length > 4) throw new Error(`ONNX conversion of ${model}: constant of rank ${c.dims.length} in an elementwise op`);
    const padded: Const = { dims: [...new Array<number>(4 - c.dims.length).fill(1), ...c.dims], data: c.data };
    return transposeConst(padded, NHWC_TO_NCHW);
  };
  /** A windowed op's NHWC layout, SAME/VALID padding, strides and dilations (checked). */
  const windowOf = (node: TfNode): { padding: 'SAME' | 'VALID'; strides: number[]; dil: number[] } => {
    const a = node.attr ?? {};
    const format = str(a.data_format) || 'NHWC';
    if (format !== 'NHWC') throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} has data_format ${format} (only NHWC)`);
    const padding = str(a.padding);
    if (padding !== 'SAME' && padding !== 'VALID') throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} has padding ${padding} (only SAME, VALID)`);
    return { padding, strides: ints(a.strides), dil: ints(a.dilations) };
  };
  const windowAttrs = (node: TfNode, kh: number, kw: number): Record<string, number[] | string> => {
    const { padding, strides, dil } = windowOf(node);
    return {
      kernel_shape: [kh, kw],
      strides: [strides[1] ?? 1, strides[2] ?? 1],
      ...(dil.length ? { dilations: [dil[1], dil[2]] } : {}),
      // TF's SAME pads the extra pixel at the end, as ONNX's SAME_UPPER does
      auto_pad: padding === 'SAME' ? 'SAME_UPPER' : 'VALID',
    };
  };
  const spatialOut = (x: Value, attrs: Record<string, number[] | string>, node: TfNode, channels: number | string): (number | string)[] => {
    const k = attrs.kernel_shape as number[];
    const s = attrs.strides as number[];
    const d = (attrs.dilations as number[] | undefined) ?? [1, 1];
    const padding = str(node.attr?.padding);
    return [x.shape[0], windowOut(x.shape[1], k[0], s[0], d[0], padding), windowOut(x.shape[2], k[1], s[1], d[1], padding), channels];
  };
  /** Activations after a conv (or alone): Relu, Relu6, Prelu (alpha: the slope constant, NHWC-broadcast). */
  const activation = (node: TfNode, v: Value, acts: string[], alpha: () => Const): Value => {
    let cur = v;
    for (const f of acts) {
      const out: Value = { name: fresh(node.name), layout: cur.layout, shape: cur.shape };
      if (f === 'Relu') nodes.push({ op: 'Relu', inputs: [cur.name], outputs: [out.name] });
      else if (f === 'Relu6') nodes.push({ op: 'Clip', inputs: [cur.name, addFloat('zero', { dims: [], data: Float32Array.of(0) }), addFloat('six', { dims: [], data: Float32Array.of(6) })], outputs: [out.name] });
      else if (f === 'Prelu') {
        const c = alpha();
        nodes.push({ op: 'PRelu', inputs: [cur.name, addFloat(`${node.name}_alpha`, cur.layout === 'nchw' ? broadcastNchw(c) : c)], outputs: [out.name] });
      } else throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} fuses unsupported op ${f}`);
      cur = out;
    }
    return cur;
  };
  let graphInput: ConvertedGraph['input'] | null = null;

  for (const node of tfNodes) {
    const a = node.attr ?? {};
    switch (node.op) {
      case 'Const': {
        const w = weights.get(node.name);
        if (!w) throw new Error(`ONNX conversion of ${model}: constant ${node.name} has no weights in the .bin files`);
        consts.set(node.name, w);
        break;
      }
      case 'Placeholder': {
        if (graphInput) throw new Error(`ONNX conversion of ${model}: more than one input (${graphInput.name}, ${node.name})`);
        const dims = (a.shape?.shape?.dim ?? []).map((d) => Number(d.size));
        if (dims.length !== 4) throw new Error(`ONNX conversion of ${model}: input ${node.name} has rank ${dims.length} (only NHWC images)`);
        const shape: (number | string)[] = ['batch', ...dims.slice(1)];
        graphInput = { name: node.name, shape };
        values.set(node.name, toLayout({ name: node.name, layout: 'plain', shape }, 'nchw'));
        break;
      }
      case 'Identity': {
        const v = valueOf(node, 0);
        nodes.push({ op: 'Identity', inputs: [v.name], outputs: [node.name] });
        values.set(node.name, { ...v, name: node.name });
        break;
      }
      case '_FusedConv2D':
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const x = toLayout(valueOf(node, 0), 'nchw');
        const f = constOf(node, 1); // [kh, kw, in, out] or depthwise [kh, kw, in, multiplier]
        const depthwise = node.op.includes('Depthwise');
        const fused = (a.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
        if (fused.length && fused[0] !== 'BiasAdd') throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} fuses ${fused.join(', ')} (expected BiasAdd first)`);
        const [kh, kw, cin, cm] = f.dims;
        const cout = depthwise ? cin * cm : cm;
        // ONNX weights [out, in/group, kh, kw]; depthwise output channel i*multiplier+m is group i's m-th
        const w = depthwise ? { dims: [cout, 1, kh, kw], data: transposeConst(f, [2, 3, 0, 1]).data } : transposeConst(f, [3, 2, 0, 1]);
        const attrs = windowAttrs(node, kh, kw);
        const inputs = [x.name, addFloat(`${node.name}_w`, w)];
        if (fused.length) inputs.push(addFloat(`${node.name}_b`, constOf(node, 2)));
        const conv: Value = { name: fresh(node.name), layout: 'nchw', shape: spatialOut(x, attrs, node, cout) };
        nodes.push({ op: 'Conv', inputs, outputs: [conv.name], attrs: depthwise ? { ...attrs, group: cin } : attrs });
        values.set(node.name, activation(node, conv, fused.slice(1), () => constOf(node, 3)));
        break;
      }
      case 'Conv2DBackpropInput': {
        // conv2d_transpose: the gradient of a conv2d whose input has the shape input_sizes
        const sizes = Array.from(constOf(node, 0).data); // [batch, H, W, C] of the output
        const f = constOf(node, 1); // [kh, kw, out channels, in channels]
        const x = toLayout(valueOf(node, 2), 'nchw');
        const [kh, kw, cout, cin] = f.dims;
        const { padding, strides, dil } = windowOf(node);
        if (dil.some((d) => d !== 1)) throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} is dilated (not converted)`);
        if (cin !== x.shape[3]) throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} filter expects ${cin} channels, the input has ${x.shape[3]}`);
        // per spatial axis: the forward conv's TF padding (the odd pixel at the end) becomes the
        // transpose's begin pad; the end pad (or output_padding) makes the output exactly input_sizes
        const pads = [0, 0, 0, 0];
        const outputPadding = [0, 0];
        [0, 1].forEach((ax) => {
          const inSize = x.shape[1 + ax];
          const outSize = sizes[1 + ax];
          const k = ax === 0 ? kh : kw;
          const s = strides[1 + ax] ?? 1;
          if (typeof inSize !== 'number') throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} needs a known input size`);
          const total = padding === 'SAME' ? Math.max((Math.ceil(outSize / s) - 1) * s + k - outSize, 0) : 0;
          const begin = Math.floor(total / 2);
          const end = s * (inSize - 1) + k - begin - outSize;
          pads[ax] = begin;
          if (end >= 0) pads[2 + ax] = end;
          else outputPadding[ax] = -end;
        });
        const w = transposeConst(f, [3, 2, 0, 1]); // ONNX ConvTranspose weight [in, out, kh, kw]
        const out: Value = { name: fresh(node.name), layout: 'nchw', shape: [x.shape[0], sizes[1], sizes[2], cout] };
        nodes.push({
          op: 'ConvTranspose',
          inputs: [x.name, addFloat(`${node.name}_w`, w)],
          outputs: [out.name],
          attrs: { kernel_shape: [kh, kw], strides: [strides[1] ?? 1, strides[2] ?? 1], pads, ...(outputPadding.some((p) => p) ? { output_padding: outputPadding } : {}) },
        });
        values.set(node.name, out);
        break;
      }
      case 'MatMul': {
        // x [batch, n] times a constant [n, m] (the dense layers of meet's squeeze-excitation blocks)
        const v = toLayout(valueOf(node, 0), 'plain');
        const w = constOf(node, 1);
        if (a.transpose_a?.b || a.transpose_b?.b) throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} transposes an operand (not converted)`);
        if (v.shape.length !== 2 || w.dims.length !== 2 || v.shape[1] !== w.dims[0]) {
          throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} on [${v.shape}] x [${w.dims}] (only [batch, n] x constant [n, m])`);
        }
        const out: Value = { name: fresh(node.name), layout: 'plain', shape: [v.shape[0], w.dims[1]] };
        nodes.push({ op: 'MatMul', inputs: [v.name, addFloat(`${node.name}_w`, w)], outputs: [out.name] });
        values.set(node.name, out);
        break;
      }
      case 'AddN': {
        const vs = (node.input ?? []).map((_, i) => valueOf(node, i));
        const layout: Layout = vs.every((v) => v.shape.length === 4) && vs.some((v) => v.layout === 'nchw') ? 'nchw' : 'plain';
        const out: Value = { name: fresh(node.name), layout, shape: vs[0].shape };
        nodes.push({ op: 'Sum', inputs: vs.map((v) => toLayout(v, layout).name), outputs: [out.name] });
        values.set(node.name, out);
        break;
      }
      case 'ResizeBilinear': {
        const x = toLayout(valueOf(node, 0), 'nchw');
        const [h, w] = Array.from(constOf(node, 1).data);
        const alignCorners = a.align_corners?.b === true;
        const halfPixel = a.half_pixel_centers?.b === true;
        if (alignCorners && halfPixel) throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} sets both align_corners and half_pixel_centers`);
        // TF's source coordinate: align_corners: out * (in - 1) / (out - 1); half_pixel_centers:
        // (out + 0.5) * in / out - 0.5, clamped into the image as ONNX's 'half_pixel' is in linear
        // mode; neither: out * in / out ('asymmetric')
        const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
        // sizes [batch, C, h, w] with the batch read from the input (it is symbolic)
        const shape = fresh(`${node.name}_shape`);
        nodes.push({ op: 'Shape', inputs: [x.name], outputs: [shape] });
        const nc = fresh(`${node.name}_nc`);
        nodes.push({ op: 'Slice', inputs: [shape, addInt64('start', [0]), addInt64('end', [2]), addInt64('axes', [0])], outputs: [nc] });
        const sizes = fresh(`${node.name}_sizes`);
        nodes.push({ op: 'Concat', inputs: [nc, addInt64(`${node.name}_hw`, [h, w])], outputs: [sizes], attrs: { axis: 0 } });
        const out: Value = { name: fresh(node.name), layout: 'nchw', shape: [x.shape[0], h, w, x.shape[3]] };
        nodes.push({ op: 'Resize', inputs: [x.name, '', '', sizes], outputs: [out.name], attrs: { mode: 'linear', coordinate_transformation_mode: mode } });
        values.set(node.name, out);
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'Sub':
      case 'Mul': {
        if (node.op === 'BiasAdd' && (str(a.data_format) || 'NHWC') !== 'NHWC') throw new Error(`ONNX conversion of ${model}: BiasAdd ${node.name} has data_format ${str(a.data_format)} (only NHWC)`);
        const onnxOp = node.op === 'Sub' ? 'Sub' : node.op === 'Mul' ? 'Mul' : 'Add';
        const operands = [0, 1].map((i) => {
          const c = consts.get(ref(node.input?.[i] ?? ''));
          return c ? { c } : { v: valueOf(node, i) };
        });
        const vs = operands.map((o) => o.v).filter((v): v is Value => !!v);
        if (!vs.length) throw new Error(`ONNX conversion of ${model}: ${node.op} ${node.name} on two constants`);
        // the tensors in NCHW when any is (4-D), constants made to broadcast the same way
        const layout: Layout = vs.every((v) => v.shape.length === 4) && vs.some((v) => v.layout === 'nchw') ? 'nchw' : 'plain';
        const names = operands.map((o) => (o.v ? toLayout(o.v, layout).name : addFloat(`${node.name}_c`, layout === 'nchw' ? broadcastNchw(o.c!) : o.c!)));
        const out: Value = { name: fresh(node.name), layout, shape: vs[0].shape };
        nodes.push({ op: onnxOp, inputs: names, outputs: [out.name] });
        values.set(node.name, out);
        break;
      }
      case 'Relu':
      case 'Sigmoid': {
        const v = valueOf(node, 0);
        const out: Value = { ...v, name: fresh(node.name) };
        nodes.push({ op: node.op, inputs: [v.name], outputs: [out.name] });
        values.set(node.name, out);
        break;
      }
      case 'Relu6':
      case 'Prelu': {
        values.set(node.name, activation(node, valueOf(node, 0), [node.op], () => constOf(node, 1)));
        break;
      }
      case 'MaxPool':
      case 'AvgPool': {
        const x = toLayout(valueOf(node, 0), 'nchw');
        const k = ints(a.ksize);
        const attrs = windowAttrs(node, k[1], k[2]);
        delete attrs.dilations;
        const out: Value = { name: fresh(node.name), layout: 'nchw', shape: spatialOut(x, attrs, node, x.shape[3]) };
        // AvgPool: TF's SAME averages over the valid pixels only (count_include_pad 0, ONNX's default)
        nodes.push({ op: node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', inputs: [x.name], outputs: [out.name], attrs });
        values.set(node.name, out);
        break;
      }
      case 'Pad':
      case 'PadV2': {
        const v = valueOf(node, 0);
        const p = constOf(node, 1); // [rank, 2]: before, after per TF axis
        const rank = p.dims[0];
        const axes = v.layout === 'nchw' ? NHWC_TO_NCHW : [...Array(rank).keys()];
        const pads = [...axes.map((ax) => p.data[2 * ax]), ...axes.map((ax) => p.data[2 * ax + 1])];
        const inputs = [v.name, addInt64(`${node.name}_pads`, pads)];
        if (node.op === 'PadV2') inputs.push(addFloat(`${node.name}_value`, { dims: [], data: Float32Array.of(constOf(node, 2).data[0]) }));
        const shape = v.shape.map((d, ax) => (typeof d === 'number' ? d + p.data[2 * ax] + p.data[2 * ax + 1] : d));
        const out: Value = { name: fresh(node.name), layout: v.layout, shape };
        nodes.push({ op: 'Pad', inputs, outputs: [out.name], attrs: { mode: 'constant' } });
        values.set(node.name, out);
        break;
      }
      case 'Reshape': {
        const v = toLayout(valueOf(node, 0), 'plain');
        const target = Array.from(constOf(node, 1).data);
        // the leading 1 or -1 is the batch: copy the input's (0 in ONNX) so any batch runs
        const batched = v.shape[0] === 'batch' && (target[0] === 1 || target[0] === -1);
        const onnxShape = batched ? [0, ...target.slice(1)] : target;
        const known = v.shape.slice(batched ? 1 : 0).reduce<number | null>((acc, d) => (acc !== null && typeof d === 'number' ? acc * d : null), 1);
        const rest = target.slice(batched ? 1 : 0);
        const fixed = rest.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
        const shape: (number | string)[] = [...(batched ? ['batch'] : []), ...rest.map((d, i) => (d !== -1 ? d : known !== null ? known / fixed : `d${i}`))];
        const out: Value = { name: fresh(node.name), layout: 'plain', shape };
        nodes.push({ op: 'Reshape', inputs: [v.name, addInt64(`${node.name}_shape`, onnxShape)], outputs: [out.name] });
        values.set(node.name, out);
        break;
      }
      case 'ConcatV2': {
        const n = (node.input ?? []).length - 1;
        const vs = [...Array(n).keys()].map((i) => valueOf(node, i));
        const rank = vs[0].shape.length;
        let axis = constOf(node, n).data[0];
        if (axis < 0) axis += rank;
        const layout: Layout = rank === 4 && vs.some((v) => v.layout === 'nchw') ? 'nchw' : 'plain';
        const names = vs.map((v) => toLayout(v, layout).name);
        const sum = vs.reduce<number | string>((acc, v) => (typeof acc === 'number' && typeof v.shape[axis] === 'number' ? acc + (v.shape[axis] as number) : `concat${counter}`), 0);
        const shape = vs[0].shape.map((d, i) => (i === axis ? sum : d));
        const out: Value = { name: fresh(node.name), layout, shape };
        nodes.push({ op: 'Concat', inputs: names, outputs: [out.name], attrs: { axis: layout === 'nchw' ? NHWC_TO_NCHW.indexOf(axis) : axis } });
        values.set(node.name, out);
        break;
      }
      default:
        throw new Error(`ONNX conversion of ${model}: unsupported tfjs op ${node.op} (node ${node.name})`);
    }
  }
  if (!graphInput) throw new Error(`ONNX conversion of ${model}: no Placeholder input`);
  // outputs: the nodes nothing consumes, in NHWC (plain) layout
  const consumed = new Set(tfNodes.flatMap((n) => (n.input ?? []).map(ref)));
  const outputs: ConvertedGraph['outputs'] = [];
  for (const n of tfNodes) {
    if (n.op === 'Const' || consumed.has(n.name)) continue;
    const v = values.get(n.name)!;
    let name = v.name;
    if (v.layout !== 'plain' || name !== n.name) {
      const plain = toLayout(v, 'plain');
      nodes.push({ op: 'Identity', inputs: [plain.name], outputs: [`${n.name}__out`] });
      name = `${n.name}__out`;
    }
    outputs.push({ name, shape: v.shape });
  }
  const bytes = encodeOnnxModel({
    name: model,
    nodes,
    initializers,
    inputs: [graphInput],
    outputs,
    producer: 'facetype tfjs-graph converter',
  });
  return { model: bytes, input: graphInput, outputs, ops };
}

/** Reads (checksums verified) and converts one of the pinned tfjs graph models. */
export function graphModelToOnnx(name: ModelName): ConvertedGraph {
  return convertGraphModel(readGraphModelFiles(name), name);
}

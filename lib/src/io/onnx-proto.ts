/**
 * A minimal ONNX (protobuf) writer: enough of onnx.proto's ModelProto to build inference graphs
 * of float tensors from code, so converted models need no Python and no protobuf package.
 * Field numbers follow onnx/onnx.proto (IR version 8). Only what the converters use is encoded.
 */

/** A node attribute: ints / floats lists, a single int, float or string. */
export type OnnxAttr = number | string | number[] | { floats: number[] } | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
  name?: string;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 (data type 1) or int64 (data type 7, given as numbers). */
  data: Float32Array | { int64: number[] };
}

export interface OnnxValue {
  name: string;
  /** Dimensions; a string is a symbolic dimension (for example 'batch'). */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** Default opset 13. */
  opset?: number;
  producer?: string;
}

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.push(Uint8Array.from(out));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

// AttributeProto.AttributeType
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

function attribute(name: string, v: OnnxAttr): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer (use { float })`);
    return w.int(3, v).int(20, ATTR.INT);
  }
  if (typeof v === 'string') return w.string(4, v).int(20, ATTR.STRING);
  if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    return w.int(20, ATTR.INTS);
  }
  if ('float' in v) return w.float(2, v.float).int(20, ATTR.FLOAT);
  for (const x of v.floats) w.float(7, x);
  return w.int(20, ATTR.FLOATS);
}

function tensor(t: OnnxTensor): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  if (t.data instanceof Float32Array) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`ONNX tensor ${t.name}: ${t.data.length} values for dims [${t.dims}]`);
    w.int(2, 1).string(8, t.name);
    const raw = new Uint8Array(t.data.length * 4);
    new Float32Array(raw.buffer).set(t.data); // little-endian on every platform Node supports
    return w.bytes(9, raw);
  }
  w.int(2, 7).string(8, t.name);
  const raw = new Uint8Array(t.data.int64.length * 8);
  const view = new DataView(raw.buffer);
  t.data.int64.forEach((x, i) => view.setBigInt64(i * 8, BigInt(x), true));
  return w.bytes(9, raw);
}

function valueInfo(v: OnnxValue): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, 1).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** Encodes a graph as an ONNX model file (bytes). */
export function encodeOnnxModel(g: OnnxGraph): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => {
    const node = new Writer();
    for (const x of n.inputs) node.string(1, x);
    for (const x of n.outputs) node.string(2, x);
    node.string(3, n.name ?? `${n.op}_${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attribute(k, v));
    graph.message(1, node);
  });
  graph.string(2, g.name);
  for (const t of g.initializers) graph.message(5, tensor(t));
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));
  const model = new Writer()
    .int(1, 8) // ir_version
    .string(2, g.producer ?? 'facetype')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, g.opset ?? 13));
  return model.finish();
}

/**
 * A tiny MATLAB v5 MAT-file writer for test fixtures: just enough to build the shapes the reader
 * must handle (struct arrays, cells, char matrices, numbers stored as smaller types, logical,
 * complex, empty arrays), in either byte order, with or without compression.
 */
import * as zlib from 'node:zlib';

/** How numbers are stored in the file (MATLAB stores doubles as smaller integer types when lossless). */
export type StoredType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'single' | 'double' | 'int64' | 'uint64';
export type ArrayClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

export type WValue =
  | { kind: 'numeric'; class: ArrayClass; dims: number[]; data: number[]; storeAs: StoredType; imag?: number[]; logical?: boolean }
  | { kind: 'char'; dims: number[]; columnMajor: number[] | string; storeAs: 'uint16' | 'utf8' | 'utf16' | 'uint8' }
  | { kind: 'cell'; dims: number[]; items: WValue[] }
  | { kind: 'struct'; dims: number[]; fieldNames: string[]; elements: Record<string, WValue>[] }
  /** An miMATRIX element with no content (how MATLAB writes some empty cells). */
  | { kind: 'empty-element' }
  /** Raw element bytes written as they are (for corrupt-data tests). */
  | { kind: 'raw'; bytes: Buffer };

const MI = { int8: 1, uint8: 2, int16: 3, uint16: 4, int32: 5, uint32: 6, single: 7, double: 9, int64: 12, uint64: 13, matrix: 14, compressed: 15, utf8: 16, utf16: 17 } as const;
const MX: Record<ArrayClass | 'cell' | 'struct' | 'char', number> = {
  cell: 1, struct: 2, char: 4, double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13, int64: 14, uint64: 15,
};
const SIZES: Record<StoredType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, single: 4, double: 8, int64: 8, uint64: 8 };

// ----- value builders -----

/** A numeric row vector (or `dims`), stored as `storeAs` (default double). */
export function num(data: number[], opts: { dims?: number[]; class?: ArrayClass; storeAs?: StoredType; imag?: number[] } = {}): WValue {
  return { kind: 'numeric', class: opts.class ?? 'double', dims: opts.dims ?? [1, data.length], data, storeAs: opts.storeAs ?? 'double', imag: opts.imag };
}

export function logical(data: boolean[], dims?: number[]): WValue {
  return { kind: 'numeric', class: 'uint8', dims: dims ?? [1, data.length], data: data.map(Number), storeAs: 'uint8', logical: true };
}

/** A 1xN char row (0x0 when empty, as MATLAB writes ''). */
export function str(s: string, storeAs: 'uint16' | 'utf8' | 'utf16' | 'uint8' = 'uint16'): WValue {
  return { kind: 'char', dims: s.length === 0 ? [0, 0] : [1, s.length], columnMajor: s, storeAs };
}

/** A char matrix from rows of equal length. */
export function charMatrix(rows: string[], storeAs: 'uint16' | 'utf8' = 'uint16'): WValue {
  const cols = rows[0]?.length ?? 0;
  let s = '';
  for (let c = 0; c < cols; c++) for (const r of rows) s += r[c];
  return { kind: 'char', dims: [rows.length, cols], columnMajor: s, storeAs };
}

export function cell(items: WValue[], dims?: number[]): WValue {
  return { kind: 'cell', dims: dims ?? [1, items.length], items };
}

/** A 1x1 struct, or a struct array from several elements with the same fields. */
export function struct(...elements: Record<string, WValue>[]): WValue {
  const fieldNames = Object.keys(elements[0] ?? {});
  return { kind: 'struct', dims: [1, elements.length], fieldNames, elements };
}

// ----- encoding -----

class Out {
  parts: Buffer[] = [];
  constructor(readonly le: boolean) {}
  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0);
    return b;
  }
  /** A data element: small format when it fits in 4 bytes (if allowed), else tag + data + padding. */
  element(type: number, data: Buffer, small: boolean): Buffer {
    if (small && data.length <= 4 && data.length > 0) {
      const tag = this.u32(((data.length << 16) | type) >>> 0);
      return Buffer.concat([tag, data, Buffer.alloc(4 - data.length)]);
    }
    const pad = (8 - (data.length % 8)) % 8;
    return Buffer.concat([this.u32(type), this.u32(data.length), data, Buffer.alloc(pad)]);
  }
  numbers(values: number[], type: StoredType): Buffer {
    const size = SIZES[type];
    const b = Buffer.alloc(values.length * size);
    values.forEach((v, i) => {
      const o = i * size;
      const L = this.le;
      switch (type) {
        case 'int8': b.writeInt8(v, o); break;
        case 'uint8': b.writeUInt8(v, o); break;
        case 'int16': L ? b.writeInt16LE(v, o) : b.writeInt16BE(v, o); break;
        case 'uint16': L ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o); break;
        case 'int32': L ? b.writeInt32LE(v, o) : b.writeInt32BE(v, o); break;
        case 'uint32': L ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o); break;
        case 'single': L ? b.writeFloatLE(v, o) : b.writeFloatBE(v, o); break;
        case 'double': L ? b.writeDoubleLE(v, o) : b.writeDoubleBE(v, o); break;
        case 'int64': L ? b.writeBigInt64LE(BigInt(v), o) : b.writeBigInt64BE(BigInt(v), o); break;
        case 'uint64': L ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o); break;
      }
    });
    return b;
  }
}

function matrix(out: Out, value: WValue, name: string, small: boolean): Buffer {
  if (value.kind === 'raw') return value.bytes;
  if (value.kind === 'empty-element') return Buffer.concat([out.u32(MI.matrix), out.u32(0)]);
  const parts: Buffer[] = [];
  let cls: number;
  let flags = 0;
  if (value.kind === 'numeric') {
    cls = MX[value.class];
    if (value.imag) flags |= 0x08;
    if (value.logical) flags |= 0x02;
  } else cls = MX[value.kind];
  parts.push(out.element(MI.uint32, Buffer.concat([out.u32((flags << 8) | cls), out.u32(0)]), false));
  const dims = Buffer.concat(value.dims.map((d) => {
    const b = Buffer.alloc(4);
    if (out.le) b.writeInt32LE(d); else b.writeInt32BE(d);
    return b;
  }));
  parts.push(out.element(MI.int32, dims, small));
  parts.push(out.element(MI.int8, Buffer.from(name, 'latin1'), small));
  switch (value.kind) {
    case 'numeric':
      parts.push(out.element(MI[value.storeAs], out.numbers(value.data, value.storeAs), small));
      if (value.imag) parts.push(out.element(MI[value.storeAs], out.numbers(value.imag, value.storeAs), small));
      break;
    case 'char': {
      const s = typeof value.columnMajor === 'string' ? value.columnMajor : String.fromCharCode(...value.columnMajor);
      if (s.length === 0) break;
      if (value.storeAs === 'utf8') parts.push(out.element(MI.utf8, Buffer.from(s, 'utf8'), small));
      else if (value.storeAs === 'uint8') parts.push(out.element(MI.uint8, Buffer.from(s, 'latin1'), small));
      else {
        const codes = Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
        parts.push(out.element(value.storeAs === 'utf16' ? MI.utf16 : MI.uint16, out.numbers(codes, 'uint16'), small));
      }
      break;
    }
    case 'cell':
      for (const item of value.items) parts.push(matrix(out, item, '', small));
      break;
    case 'struct': {
      const len = Math.max(...value.fieldNames.map((f) => f.length + 1), 1);
      const lenBuf = Buffer.alloc(4);
      if (out.le) lenBuf.writeInt32LE(len); else lenBuf.writeInt32BE(len);
      parts.push(out.element(MI.int32, lenBuf, true));
      const names = Buffer.alloc(len * value.fieldNames.length);
      value.fieldNames.forEach((f, i) => names.write(f, i * len, 'latin1'));
      parts.push(out.element(MI.int8, names, small));
      for (const el of value.elements) for (const f of value.fieldNames) parts.push(matrix(out, el[f], '', small));
      break;
    }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([out.u32(MI.matrix), out.u32(body.length), body]);
}

export interface WriteOptions {
  /** zlib-compress each variable (miCOMPRESSED), as MATLAB's default v7 format does. Default false. */
  compress?: boolean;
  /** Byte order of the file. Default 'little'. */
  endian?: 'little' | 'big';
  /** Use the small data element format where data fits in 4 bytes (MATLAB does). Default true. */
  smallElements?: boolean;
  /** Header text (default like MATLAB's). */
  text?: string;
}

/** Encodes variables as a MAT v5 file. */
export function writeMat(variables: Record<string, WValue>, options: WriteOptions = {}): Buffer {
  const le = (options.endian ?? 'little') === 'little';
  const out = new Out(le);
  const header = Buffer.alloc(128, 0x20);
  header.write((options.text ?? 'MATLAB 5.0 MAT-file, Platform: facetype test writer').slice(0, 116), 0, 'latin1');
  header.fill(0, 116, 124);
  if (le) {
    header.writeUInt16LE(0x0100, 124);
    header.write('IM', 126, 'latin1');
  } else {
    header.writeUInt16BE(0x0100, 124);
    header.write('MI', 126, 'latin1');
  }
  const parts: Buffer[] = [header];
  for (const [name, value] of Object.entries(variables)) {
    const m = matrix(out, value, name, options.smallElements ?? true);
    if (options.compress) {
      const z = zlib.deflateSync(m);
      parts.push(Buffer.concat([out.u32(MI.compressed), out.u32(z.length), z]));
    } else parts.push(m);
  }
  return Buffer.concat(parts);
}

// ----- a WIKI-shaped fixture -----

export interface WikiFixtureRow {
  fullPath: string;
  name: string;
  /** MATLAB serial date number (NaN allowed). */
  dob: number;
  photoTaken: number;
  /** 1 male, 0 female, NaN unknown. */
  gender: number;
  faceLocation: [number, number, number, number];
  faceScore: number;
  secondFaceScore: number;
}

/** MATLAB datenum of a calendar date (proleptic Gregorian): 719529 is 1970-01-01. */
export function datenum(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() / 86400000 + 719529;
}

/** A wiki.mat-shaped file: struct `wiki` with 1xN fields, as the real file has. */
export function writeWikiMat(rows: WikiFixtureRow[], options: WriteOptions = { compress: true }, variable = 'wiki'): Buffer {
  const wiki = struct({
    dob: num(rows.map((r) => r.dob)),
    photo_taken: num(rows.map((r) => r.photoTaken), { storeAs: 'uint16' }),
    full_path: cell(rows.map((r) => str(r.fullPath))),
    gender: num(rows.map((r) => r.gender)),
    name: cell(rows.map((r) => str(r.name))),
    face_location: cell(rows.map((r) => num(r.faceLocation))),
    face_score: num(rows.map((r) => r.faceScore)),
    second_face_score: num(rows.map((r) => r.secondFaceScore)),
  });
  return writeMat({ [variable]: wiki }, options);
}

/**
 * A small reader of MATLAB v5 MAT-files: the subset the IMDB-WIKI metadata (wiki.mat) uses, plus
 * what MATLAB and scipy commonly write around it. No npm package reads these files, so this is ours.
 *
 * Supported: the 128-byte header in either byte order, data element tags including the
 * small-data-element format, miCOMPRESSED (zlib), miMATRIX of class struct (struct arrays), cell,
 * char (miUINT16 / miUTF16 / miUTF8 / miUTF32 / 8-bit data; char matrices of several rows),
 * double, single, int8..uint64 stored as any numeric type (MATLAB stores doubles as smaller integer
 * types when that is lossless: every value comes back as a Float64Array), logical, empty arrays and
 * complex arrays (real and imaginary parts). Not supported, with a clear error: v7.3 (HDF5) files,
 * v4 files, sparse arrays, objects, function handles.
 *
 * Format reference: MathWorks, "MAT-File Format" (matfile_format.pdf), chapter 1.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError, InvalidParameterError } from '../validate';

/** MATLAB class of a numeric array. `logical` is a uint8 array with the logical flag. */
export type MatNumericClass =
  | 'double' | 'single'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'logical';

/** A numeric or logical array, column-major, every value converted to double. */
export interface MatNumeric {
  type: 'numeric';
  class: MatNumericClass;
  /** MATLAB dimensions (at least two), e.g. [1, 62328]. */
  dims: number[];
  /** Real part, column-major. int64/uint64 values beyond 2^53 lose precision. */
  data: Float64Array;
  /** Imaginary part for complex arrays, else null. */
  imag: Float64Array | null;
}

/** A char array: one JS string per row (rows of a char matrix are padded with spaces by MATLAB). */
export interface MatChar {
  type: 'char';
  dims: number[];
  /** Row strings; [] for an empty char array. */
  text: string[];
}

/** A cell array, items column-major. */
export interface MatCell {
  type: 'cell';
  dims: number[];
  items: MatValue[];
}

/** A struct array: `fields[name][i]` is the field of the i-th element (column-major). */
export interface MatStruct {
  type: 'struct';
  dims: number[];
  /** Field names in file order. */
  fieldNames: string[];
  fields: Record<string, MatValue[]>;
}

export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

export interface MatHeader {
  /** Descriptive text of the header (trailing spaces and NULs removed). */
  text: string;
  /** Version field (0x0100 for v5 files). */
  version: number;
  endian: 'little' | 'big';
}

export interface MatFile {
  header: MatHeader;
  /** Variable names in file order. */
  names: string[];
  variables: Record<string, MatValue>;
}

// Data types (miXXX) of data element tags.
const miINT8 = 1, miUINT8 = 2, miINT16 = 3, miUINT16 = 4, miINT32 = 5, miUINT32 = 6, miSINGLE = 7,
  miDOUBLE = 9, miINT64 = 12, miUINT64 = 13, miMATRIX = 14, miCOMPRESSED = 15, miUTF8 = 16,
  miUTF16 = 17, miUTF32 = 18;

const MI_NAMES: Record<number, string> = {
  1: 'miINT8', 2: 'miUINT8', 3: 'miINT16', 4: 'miUINT16', 5: 'miINT32', 6: 'miUINT32', 7: 'miSINGLE',
  9: 'miDOUBLE', 12: 'miINT64', 13: 'miUINT64', 14: 'miMATRIX', 15: 'miCOMPRESSED', 16: 'miUTF8',
  17: 'miUTF16', 18: 'miUTF32',
};

const MI_SIZES: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4,
};

// Array classes (mxXXX_CLASS).
const mxCELL = 1, mxSTRUCT = 2, mxOBJECT = 3, mxCHAR = 4, mxSPARSE = 5;
const NUMERIC_CLASSES: Record<number, MatNumericClass> = {
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32',
  13: 'uint32', 14: 'int64', 15: 'uint64',
};
const OTHER_CLASSES: Record<number, string> = {
  3: 'object (mxOBJECT)', 5: 'sparse (mxSPARSE)', 16: 'function handle (mxFUNCTION)', 17: 'opaque (mxOPAQUE)',
};

const FLAG_COMPLEX = 0x08;
const FLAG_LOGICAL = 0x02;
/** Nesting guard against crafted files (MATLAB data this deep is not realistic). */
const MAX_DEPTH = 64;

const UTF8 = new TextDecoder('utf-8');

/** Values of arrays this small share one ArrayBuffer (allocating one buffer per 1x4 array dominates otherwise). */
const SLAB_ITEM_MAX = 64;
const SLAB_SIZE = 16384;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

interface Tag {
  type: number;
  nbytes: number;
  /** Position of the data. */
  data: number;
  /** Position of the next element (after padding). */
  next: number;
}

/** Cursor over one buffer (the file, or the inflated content of a compressed element). */
class Reader {
  readonly view: DataView;
  private slab = new Float64Array(0);
  private slabUsed = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
    /** Names the file and, for compressed content, the element, in error messages. */
    readonly label: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new DataError(`${this.label}: ${message}`);
  }

  u32(pos: number): number {
    return this.view.getUint32(pos, this.le);
  }

  /** Reads a data element tag at pos; `end` bounds the enclosing element. Checks for truncation. */
  tag(pos: number, end: number, where: string, padded = true): Tag {
    if (pos + 8 > end) {
      this.fail(`truncated data: ${where} needs an 8-byte element tag at byte ${pos} but only ${Math.max(0, end - pos)} bytes remain`);
    }
    const first = this.u32(pos);
    if (first >>> 16 !== 0) {
      // Small data element: nbytes in the upper 16 bits, type in the lower, data in the next 4 bytes.
      const nbytes = first >>> 16;
      const type = first & 0xffff;
      if (nbytes > 4) this.fail(`corrupt element tag at byte ${pos} (${where}): small data element of ${nbytes} bytes (at most 4)`);
      return { type, nbytes, data: pos + 4, next: pos + 8 };
    }
    const nbytes = this.u32(pos + 4);
    const data = pos + 8;
    if (data + nbytes > end) {
      this.fail(`truncated data: ${where} at byte ${pos} declares ${nbytes} bytes but only ${end - data} remain`);
    }
    const next = padded ? Math.min(end, data + Math.ceil(nbytes / 8) * 8) : data + nbytes;
    return { type: first, nbytes, data, next };
  }

  /** A Float64Array of n values; small ones are views into a shared slab. */
  alloc(n: number): Float64Array {
    if (n > SLAB_ITEM_MAX) return new Float64Array(n);
    if (this.slabUsed + n > this.slab.length) {
      this.slab = new Float64Array(SLAB_SIZE);
      this.slabUsed = 0;
    }
    const out = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return out;
  }

  /** Reads the numbers of a numeric data element as doubles. */
  numbers(t: Tag, where: string): Float64Array {
    const size = MI_SIZES[t.type];
    if (size === undefined || t.type === miUTF8 || t.type === miUTF16 || t.type === miUTF32) {
      this.fail(`${where}: expected numeric data but found ${miName(t.type)}`);
    }
    if (t.nbytes % size !== 0) this.fail(`${where}: ${t.nbytes} bytes of ${miName(t.type)} is not a whole number of values`);
    const n = t.nbytes / size;
    const out = this.alloc(n);
    const v = this.view;
    const le = this.le;
    let p = t.data;
    switch (t.type) {
      case miINT8: for (let i = 0; i < n; i++, p += 1) out[i] = v.getInt8(p); break;
      case miUINT8: for (let i = 0; i < n; i++, p += 1) out[i] = v.getUint8(p); break;
      case miINT16: for (let i = 0; i < n; i++, p += 2) out[i] = v.getInt16(p, le); break;
      case miUINT16: for (let i = 0; i < n; i++, p += 2) out[i] = v.getUint16(p, le); break;
      case miINT32: for (let i = 0; i < n; i++, p += 4) out[i] = v.getInt32(p, le); break;
      case miUINT32: for (let i = 0; i < n; i++, p += 4) out[i] = v.getUint32(p, le); break;
      case miSINGLE: for (let i = 0; i < n; i++, p += 4) out[i] = v.getFloat32(p, le); break;
      case miDOUBLE: for (let i = 0; i < n; i++, p += 8) out[i] = v.getFloat64(p, le); break;
      case miINT64: for (let i = 0; i < n; i++, p += 8) out[i] = Number(v.getBigInt64(p, le)); break;
      case miUINT64: for (let i = 0; i < n; i++, p += 8) out[i] = Number(v.getBigUint64(p, le)); break;
      default: this.fail(`${where}: expected numeric data but found ${miName(t.type)}`);
    }
    return out;
  }

  /** Reads the characters of a char array's data element as UTF-16 code units in one string. */
  chars(t: Tag, where: string): string {
    const v = this.view;
    const le = this.le;
    switch (t.type) {
      case miUINT16:
      case miINT16:
      case miUTF16: {
        if (t.nbytes % 2 !== 0) this.fail(`${where}: odd number of bytes (${t.nbytes}) in 16-bit character data`);
        const n = t.nbytes / 2;
        let s = '';
        const chunk = new Array<number>(Math.min(n, 4096));
        for (let start = 0; start < n; start += 4096) {
          const m = Math.min(4096, n - start);
          chunk.length = m;
          for (let i = 0, p = t.data + 2 * start; i < m; i++, p += 2) chunk[i] = v.getUint16(p, le);
          s += String.fromCharCode.apply(null, chunk);
        }
        return s;
      }
      case miUTF8: {
        const b = this.bytes;
        const end = t.data + t.nbytes;
        let ascii = true;
        for (let p = t.data; p < end; p++) if (b[p] >= 0x80) { ascii = false; break; }
        if (ascii && t.nbytes <= 4096) return String.fromCharCode.apply(null, b.subarray(t.data, end) as unknown as number[]);
        return UTF8.decode(b.subarray(t.data, end));
      }
      case miUINT8:
      case miINT8:
        return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + t.data, t.nbytes).toString('latin1');
      case miUTF32:
      case miINT32:
      case miUINT32: {
        if (t.nbytes % 4 !== 0) this.fail(`${where}: ${t.nbytes} bytes of 32-bit character data`);
        let s = '';
        for (let p = t.data; p < t.data + t.nbytes; p += 4) {
          const cp = v.getUint32(p, le);
          s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
        }
        return s;
      }
      default:
        return this.fail(`${where}: character data stored as ${miName(t.type)} is not supported`);
    }
  }

  /** Reads an ASCII text element (array name, field names). */
  ascii(t: Tag): string {
    if (t.nbytes === 0) return '';
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + t.data, t.nbytes).toString('latin1');
  }

  /** Parses the content of an miMATRIX element spanning [start, start + nbytes). */
  matrix(start: number, nbytes: number, where: string, depth: number): { name: string; value: MatValue } {
    if (nbytes === 0) {
      // MATLAB writes empty cells and fields as miMATRIX elements with no content.
      return { name: '', value: { type: 'numeric', class: 'double', dims: [0, 0], data: new Float64Array(0), imag: null } };
    }
    if (depth > MAX_DEPTH) this.fail(`${where}: arrays nested deeper than ${MAX_DEPTH} levels`);
    const end = start + nbytes;
    const flagsTag = this.tag(start, end, `array flags of ${where}`);
    if (flagsTag.type !== miUINT32 || flagsTag.nbytes !== 8) {
      this.fail(`${where}: corrupt array flags (${miName(flagsTag.type)} of ${flagsTag.nbytes} bytes, expected miUINT32 of 8 bytes)`);
    }
    const word = this.u32(flagsTag.data);
    const cls = word & 0xff;
    const flags = (word >>> 8) & 0xff;
    const dimsTag = this.tag(flagsTag.next, end, `dimensions of ${where}`);
    if (dimsTag.type !== miINT32 || dimsTag.nbytes < 8 || dimsTag.nbytes % 4 !== 0) {
      this.fail(`${where}: corrupt dimensions (${miName(dimsTag.type)} of ${dimsTag.nbytes} bytes, expected at least two miINT32)`);
    }
    const dims: number[] = [];
    let count = 1;
    for (let p = dimsTag.data; p < dimsTag.data + dimsTag.nbytes; p += 4) {
      const d = this.view.getInt32(p, this.le);
      if (d < 0) this.fail(`${where}: negative dimension ${d}`);
      dims.push(d);
      count *= d;
    }
    const nameTag = this.tag(dimsTag.next, end, `name of ${where}`);
    if (nameTag.type !== miINT8 && nameTag.type !== miUINT8) this.fail(`${where}: corrupt array name (${miName(nameTag.type)})`);
    const name = this.ascii(nameTag);
    const label = depth === 0 && name ? `'${name}'` : where;
    let pos = nameTag.next;

    if (NUMERIC_CLASSES[cls] !== undefined) {
      const realTag = this.tag(pos, end, `data of ${label}`);
      const data = this.numbers(realTag, label);
      if (data.length !== count) this.fail(`${label}: ${data.length} values for dimensions ${dims.join('x')}`);
      let imag: Float64Array | null = null;
      if (flags & FLAG_COMPLEX) {
        const imagTag = this.tag(realTag.next, end, `imaginary part of ${label}`);
        imag = this.numbers(imagTag, label);
        if (imag.length !== count) this.fail(`${label}: ${imag.length} imaginary values for dimensions ${dims.join('x')}`);
      }
      const mclass: MatNumericClass = flags & FLAG_LOGICAL ? 'logical' : NUMERIC_CLASSES[cls];
      return { name, value: { type: 'numeric', class: mclass, dims, data, imag } };
    }
    if (cls === mxCHAR) {
      if (count === 0) return { name, value: { type: 'char', dims, text: [] } };
      const t = this.tag(pos, end, `characters of ${label}`);
      const s = this.chars(t, label);
      const rows = dims[0];
      if (rows === 1) return { name, value: { type: 'char', dims, text: [s] } };
      if (s.length !== count) this.fail(`${label}: ${s.length} characters for dimensions ${dims.join('x')}`);
      const cols = count / rows;
      const text: string[] = [];
      for (let r = 0; r < rows; r++) {
        let row = '';
        for (let c = 0; c < cols; c++) row += s[c * rows + r];
        text.push(row);
      }
      return { name, value: { type: 'char', dims, text } };
    }
    if (cls === mxCELL) {
      const items: MatValue[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const itemWhere = `${label}{${i + 1}}`;
        const t = this.tag(pos, end, itemWhere);
        if (t.type !== miMATRIX) this.fail(`${itemWhere}: expected an miMATRIX element but found ${miName(t.type)}`);
        items[i] = this.matrix(t.data, t.nbytes, itemWhere, depth + 1).value;
        pos = t.next;
      }
      return { name, value: { type: 'cell', dims, items } };
    }
    if (cls === mxSTRUCT) {
      const lenTag = this.tag(pos, end, `field name length of ${label}`);
      if (lenTag.type !== miINT32 || lenTag.nbytes !== 4) this.fail(`${label}: corrupt field name length (${miName(lenTag.type)})`);
      const fieldLen = this.view.getInt32(lenTag.data, this.le);
      const namesTag = this.tag(lenTag.next, end, `field names of ${label}`);
      if (fieldLen <= 0 || namesTag.nbytes % fieldLen !== 0) {
        this.fail(`${label}: ${namesTag.nbytes} bytes of field names are not a multiple of the field name length ${fieldLen}`);
      }
      const fieldNames: string[] = [];
      for (let p = 0; p < namesTag.nbytes; p += fieldLen) {
        const raw = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + namesTag.data + p, fieldLen).toString('latin1');
        const nul = raw.indexOf('\0');
        fieldNames.push(nul >= 0 ? raw.slice(0, nul) : raw);
      }
      const fields: Record<string, MatValue[]> = {};
      for (const f of fieldNames) Object.defineProperty(fields, f, { value: new Array(count), enumerable: true, writable: true, configurable: true });
      pos = namesTag.next;
      for (let i = 0; i < count; i++) {
        for (const f of fieldNames) {
          const fieldWhere = count === 1 ? `${label}.${f}` : `${label}(${i + 1}).${f}`;
          const t = this.tag(pos, end, fieldWhere);
          if (t.type !== miMATRIX) this.fail(`${fieldWhere}: expected an miMATRIX element but found ${miName(t.type)}`);
          fields[f][i] = this.matrix(t.data, t.nbytes, fieldWhere, depth + 1).value;
          pos = t.next;
        }
      }
      return { name, value: { type: 'struct', dims, fieldNames, fields } };
    }
    const what = OTHER_CLASSES[cls] ?? `unknown class ${cls}`;
    if (cls === mxOBJECT || cls === mxSPARSE || OTHER_CLASSES[cls]) {
      return this.fail(`${label} is a MATLAB ${what} array, which this reader does not support`);
    }
    return this.fail(`${label}: ${what} (corrupt array flags?)`);
  }
}

function miName(type: number): string {
  return MI_NAMES[type] ?? `unknown data type ${type}`;
}

function startsWith(bytes: Uint8Array, at: number, sig: number[]): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/**
 * Parses a MATLAB v5 MAT-file from its bytes. `label` names the file in error messages.
 * Throws a DataError for a v7.3 (HDF5) file, a file that is not a v5 MAT-file, truncated or corrupt data,
 * or an unsupported array class (sparse, object, function handle).
 */
export function parseMat(bytes: Uint8Array, label = 'MAT-file buffer'): MatFile {
  if (!(bytes instanceof Uint8Array)) throw new InvalidParameterError('bytes', 'a Uint8Array or Buffer', bytes);
  const headText = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 116)).toString('latin1');
  if (startsWith(bytes, 0, HDF5_SIGNATURE) || startsWith(bytes, 512, HDF5_SIGNATURE) || /^MATLAB 7\.3 MAT-file/.test(headText)) {
    throw new DataError(`${label} is a MATLAB v7.3 (HDF5) file; only v5 is supported (save it with save(..., '-v7') in MATLAB)`);
  }
  if (bytes.length < 128) {
    throw new DataError(`${label} is not a MATLAB v5 MAT-file: ${bytes.length} bytes, shorter than the 128-byte header`);
  }
  const e0 = bytes[126], e1 = bytes[127];
  let le: boolean;
  if (e0 === 0x49 && e1 === 0x4d) le = true; // 'IM': written little-endian
  else if (e0 === 0x4d && e1 === 0x49) le = false; // 'MI': written big-endian
  else {
    const start = JSON.stringify(headText.slice(0, 24));
    throw new DataError(`${label} is not a MATLAB v5 MAT-file: no 'MI' endian indicator at byte 126 (the file starts with ${start})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(124, le);
  if (version !== 0x0100) {
    throw new DataError(`${label}: unsupported MAT-file version 0x${version.toString(16).padStart(4, '0')} (only v5, 0x0100, is supported)`);
  }
  const header: MatHeader = { text: headText.replace(/[\s\0]+$/, ''), version, endian: le ? 'little' : 'big' };
  const names: string[] = [];
  const variables: Record<string, MatValue> = {};
  const add = (name: string, value: MatValue): void => {
    if (!(name in variables)) names.push(name);
    Object.defineProperty(variables, name, { value, enumerable: true, writable: true, configurable: true });
  };

  const file = new Reader(bytes, le, label);
  let pos = 128;
  let index = 0;
  while (pos < bytes.length) {
    index++;
    const where = `variable ${index}`;
    const t = file.tag(pos, bytes.length, where, false);
    if (t.type === miCOMPRESSED) {
      let inflated: Buffer;
      try {
        inflated = zlib.inflateSync(bytes.subarray(t.data, t.data + t.nbytes));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new DataError(
          `${label}: the compressed ${where} at byte ${pos} could not be inflated (${code ? code + ': ' : ''}${(err as Error).message}); the file is truncated or corrupt`,
        );
      }
      const inner = new Reader(inflated, le, `${label} (compressed ${where} at byte ${pos})`);
      let ipos = 0;
      while (ipos + 8 <= inflated.length) {
        const it = inner.tag(ipos, inflated.length, where);
        if (it.type === miMATRIX) {
          const { name, value } = inner.matrix(it.data, it.nbytes, where, 0);
          add(name, value);
        }
        ipos = it.next;
      }
    } else if (t.type === miMATRIX) {
      const { name, value } = file.matrix(t.data, t.nbytes, where, 0);
      add(name, value);
    }
    // Other top-level elements are not variables: skip them. Uncompressed elements are padded to 8 bytes.
    pos = t.type === miCOMPRESSED ? t.next : Math.min(bytes.length, t.data + Math.ceil(t.nbytes / 8) * 8);
  }
  return { header, names, variables };
}

/** Reads and parses a MAT-file (see parseMat). Throws a DataError naming the path when it cannot be read. */
export function readMatFile(file: string): MatFile {
  if (typeof file !== 'string' || file.length === 0) throw new InvalidParameterError('file', 'path of a MAT-file', file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`MAT-file ${file} does not exist`);
    if (code === 'EISDIR') throw new DataError(`MAT-file ${file} is a folder, not a file`);
    throw new DataError(`could not read MAT-file ${file}: ${(err as Error).message}`);
  }
  return parseMat(bytes, file);
}

// ---------------------------------------------------------------------------------------------
// Accessors with clear errors, for code that expects a given shape.

function kindOf(value: MatValue): string {
  return value.type === 'numeric' ? `${value.class} array ${value.dims.join('x')}` : `${value.type} array ${value.dims.join('x')}`;
}

/** The field `name` of a 1x1 struct (or of element `index` of a struct array). */
export function matField(value: MatValue, name: string, what = 'value', index = 0): MatValue {
  if (value.type !== 'struct') throw new DataError(`${what}: expected a struct but found a ${kindOf(value)}`);
  if (!Object.prototype.hasOwnProperty.call(value.fields, name)) {
    throw new DataError(`${what}: no field '${name}' (fields: ${value.fieldNames.join(', ') || 'none'})`);
  }
  const items = value.fields[name];
  if (index < 0 || index >= items.length) throw new DataError(`${what}: struct array has ${items.length} elements, no element ${index + 1}`);
  return items[index];
}

/** The values of a numeric or logical array (column-major). */
export function matNumbers(value: MatValue, what = 'value'): Float64Array {
  if (value.type !== 'numeric') throw new DataError(`${what}: expected a numeric array but found a ${kindOf(value)}`);
  return value.data;
}

/** The items of a cell array (column-major). */
export function matCell(value: MatValue, what = 'value'): MatValue[] {
  if (value.type !== 'cell') throw new DataError(`${what}: expected a cell array but found a ${kindOf(value)}`);
  return value.items;
}

/**
 * Strings of a cell array of char arrays (one string per cell; an empty cell or empty char
 * array gives ''), or the rows of a char matrix.
 */
export function matStrings(value: MatValue, what = 'value'): string[] {
  if (value.type === 'char') return value.text;
  if (value.type !== 'cell') throw new DataError(`${what}: expected a cell array of strings but found a ${kindOf(value)}`);
  const out: string[] = new Array(value.items.length);
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (item.type === 'char') out[i] = item.text.join('\n');
    else if (item.type === 'numeric' && item.data.length === 0) out[i] = '';
    else throw new DataError(`${what}{${i + 1}}: expected a string but found a ${kindOf(item)}`);
  }
  return out;
}

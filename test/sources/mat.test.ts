import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DataError } from 'facetype';
import { WIKI_MAT, wikiMatMissing } from '../support/shared-data';
import { parseMat, readMatFile, matField, matNumbers, matCell, matStrings, type MatValue } from 'facetype/dist/sources/mat';
import { writeMat, num, str, cell, struct, logical, charMatrix, type WValue } from '../support/mat-writer';


function only(bytes: Buffer, name = 'x'): MatValue {
  return parseMat(bytes).variables[name];
}

for (const compress of [false, true]) {
  for (const endian of ['little', 'big'] as const) {
    test(`parseMat() reads a struct of cells, chars and numbers (${endian}-endian, ${compress ? 'compressed' : 'uncompressed'})`, () => {
      const bytes = writeMat(
        {
          s: struct({
            a: num([1, 2.5, -3]),
            names: cell([str('Ann'), str('Jürgen'), str('')]),
            boxes: cell([num([1, 2, 3, 4]), num([5, 6, 7, 8])]),
          }),
          k: num([7]),
        },
        { compress, endian },
      );
      const file = parseMat(bytes, 'fixture.mat');
      assert.equal(file.header.endian, endian);
      assert.equal(file.header.version, 0x0100);
      assert.deepEqual(file.names, ['s', 'k']);
      const s = file.variables.s;
      assert.equal(s.type, 'struct');
      assert.deepEqual(s.type === 'struct' && s.fieldNames, ['a', 'names', 'boxes']);
      assert.deepEqual(Array.from(matNumbers(matField(s, 'a'))), [1, 2.5, -3]);
      assert.deepEqual(matStrings(matField(s, 'names')), ['Ann', 'Jürgen', '']);
      assert.deepEqual(matCell(matField(s, 'boxes')).map((b) => Array.from(matNumbers(b))), [[1, 2, 3, 4], [5, 6, 7, 8]]);
      assert.deepEqual(Array.from(matNumbers(file.variables.k)), [7]);
    });
  }
}

test('parseMat() converts every stored numeric type to doubles', () => {
  const cases: [WValue, number[], string][] = [
    [num([-128, 0, 127], { storeAs: 'int8' }), [-128, 0, 127], 'double'],
    [num([0, 255], { storeAs: 'uint8' }), [0, 255], 'double'],
    [num([-32768, 32767], { storeAs: 'int16' }), [-32768, 32767], 'double'],
    [num([1981, 2009, 65535], { storeAs: 'uint16' }), [1981, 2009, 65535], 'double'],
    [num([-2147483648, 5], { storeAs: 'int32' }), [-2147483648, 5], 'double'],
    [num([723671, 4294967295], { storeAs: 'uint32' }), [723671, 4294967295], 'double'],
    [num([0.5, -Infinity, NaN], { storeAs: 'single', class: 'single' }), [0.5, -Infinity, NaN], 'single'],
    [num([-(2 ** 40), 3], { storeAs: 'int64', class: 'int64' }), [-(2 ** 40), 3], 'int64'],
    [num([2 ** 50], { storeAs: 'uint64', class: 'uint64' }), [2 ** 50], 'uint64'],
    [num([1, 2], { storeAs: 'uint8', class: 'uint8' }), [1, 2], 'uint8'],
  ];
  for (const endian of ['little', 'big'] as const) {
    for (const [value, expected, cls] of cases) {
      const v = only(writeMat({ x: value }, { endian }));
      assert.equal(v.type, 'numeric');
      assert.equal(v.type === 'numeric' && v.class, cls);
      assert.deepEqual(Array.from(matNumbers(v)), expected);
    }
  }
});

test('parseMat() reads the small data element format and the long format alike', () => {
  for (const smallElements of [true, false]) {
    const v = only(writeMat({ x: num([3], { storeAs: 'uint8' }) }, { smallElements }));
    assert.deepEqual(Array.from(matNumbers(v)), [3]);
    const c = only(writeMat({ x: str('ab') }, { smallElements }));
    assert.deepEqual(matStrings(c), ['ab']);
  }
});

test('parseMat() reads logical, complex, empty and multi-dimensional arrays', () => {
  const l = only(writeMat({ x: logical([true, false, true]) }));
  assert.equal(l.type === 'numeric' && l.class, 'logical');
  assert.deepEqual(Array.from(matNumbers(l)), [1, 0, 1]);

  const c = only(writeMat({ x: num([1, 2], { imag: [3, -4] }) }));
  assert.equal(c.type, 'numeric');
  assert.deepEqual(c.type === 'numeric' && c.imag && Array.from(c.imag), [3, -4]);
  assert.deepEqual(Array.from(matNumbers(c)), [1, 2]);

  const e = only(writeMat({ x: num([], { dims: [0, 0] }) }));
  assert.deepEqual(e.type === 'numeric' && e.dims, [0, 0]);
  assert.equal(matNumbers(e).length, 0);

  const m = only(writeMat({ x: num([1, 2, 3, 4, 5, 6, 7, 8], { dims: [2, 2, 2] }) }));
  assert.deepEqual(m.type === 'numeric' && m.dims, [2, 2, 2]);

  // An empty cell item written as an miMATRIX element with no content.
  const ce = only(writeMat({ x: cell([{ kind: 'empty-element' }, str('z')]) }));
  assert.deepEqual(matStrings(ce), ['', 'z']);
});

test('parseMat() reads char data as UTF-16, UTF-8 and 8-bit, and char matrices by rows', () => {
  for (const storeAs of ['uint16', 'utf16', 'utf8'] as const) {
    assert.deepEqual(matStrings(only(writeMat({ x: str('İhsan Doğramacı 😀', storeAs) }))), ['İhsan Doğramacı 😀']);
  }
  assert.deepEqual(matStrings(only(writeMat({ x: str('café', 'uint8') }))), ['café']);
  const m = only(writeMat({ x: charMatrix(['abc', 'de ', 'fgh']) }));
  assert.deepEqual(m.type === 'char' && m.dims, [3, 3]);
  assert.deepEqual(matStrings(m), ['abc', 'de ', 'fgh']);
  const u = only(writeMat({ x: charMatrix(['ab', 'ßé'], 'utf8') }));
  assert.deepEqual(matStrings(u), ['ab', 'ßé']);
  assert.deepEqual(matStrings(only(writeMat({ x: str('') }))), []);
});

test('parseMat() reads struct arrays element by element', () => {
  const v = only(writeMat({ x: struct({ n: num([1]), s: str('a') }, { n: num([2]), s: str('b') }) }));
  assert.equal(v.type, 'struct');
  assert.deepEqual(v.type === 'struct' && v.dims, [1, 2]);
  assert.deepEqual(Array.from(matNumbers(matField(v, 'n', 'x', 1))), [2]);
  assert.deepEqual(matStrings(matField(v, 's', 'x', 1)), ['b']);
  assert.throws(() => matField(v, 'n', 'x', 2), /^DataError: x: struct array has 2 elements, no element 3$/);
});

test('parseMat() rejects a MATLAB v7.3 (HDF5) file clearly', () => {
  const header = Buffer.alloc(1024);
  header.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .', 0, 'latin1');
  Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 512);
  assert.throws(() => parseMat(header, 'big.mat'), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.message, "big.mat is a MATLAB v7.3 (HDF5) file; only v5 is supported (save it with save(..., '-v7') in MATLAB)");
    return true;
  });
  // A bare HDF5 file.
  const h5 = Buffer.alloc(600);
  Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(h5, 0);
  assert.throws(() => parseMat(h5, 'x.h5'), /x\.h5 is a MATLAB v7\.3 \(HDF5\) file; only v5 is supported/);
});

test('parseMat() rejects files that are not v5 MAT-files', () => {
  assert.throws(() => parseMat(Buffer.from('hello'), 'a.txt'), /^DataError: a\.txt is not a MATLAB v5 MAT-file: 5 bytes, shorter than the 128-byte header$/);
  assert.throws(
    () => parseMat(Buffer.alloc(200, 0x41), 'b.bin'),
    /^DataError: b\.bin is not a MATLAB v5 MAT-file: no 'MI' endian indicator at byte 126 \(the file starts with "AAAAAAAAAAAAAAAAAAAAAAAA"\)$/,
  );
  const v2 = writeMat({ x: num([1]) });
  v2.writeUInt16LE(0x0200, 124);
  assert.throws(() => parseMat(v2, 'v.mat'), /^DataError: v\.mat: unsupported MAT-file version 0x0200 \(only v5, 0x0100, is supported\)$/);
  assert.throws(() => parseMat('x' as unknown as Uint8Array), /^InvalidParameterError: Expected a Uint8Array or Buffer for bytes but received 'x' of type string$/);
});

test('parseMat() reports truncated data with the byte position', () => {
  const whole = writeMat({ x: struct({ a: num([1, 2, 3]) }) });
  assert.throws(() => parseMat(whole.subarray(0, whole.length - 8), 't.mat'), /^DataError: t\.mat: truncated data: variable 1 at byte 128 declares \d+ bytes but only \d+ remain$/);
  assert.throws(() => parseMat(whole.subarray(0, 132), 't.mat'), /^DataError: t\.mat: truncated data: variable 1 needs an 8-byte element tag at byte 128 but only 4 bytes remain$/);
  // A compressed element whose zlib stream is cut short (but whose tag is consistent).
  const z = zlib.deflateSync(Buffer.alloc(4000, 7)).subarray(0, 10);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(z.length, 4);
  const cut = Buffer.concat([writeMat({}), tag, z]);
  assert.throws(() => parseMat(cut, 'c.mat'), /^DataError: c\.mat: the compressed variable 1 at byte 128 could not be inflated \(Z_BUF_ERROR: unexpected end of file\); the file is truncated or corrupt$/);
  // An inner element that claims more bytes than the matrix holds.
  const inner = writeMat({ x: num([1, 2, 3]) });
  inner.writeUInt32LE(inner.readUInt32LE(132) - 16, 132); // shrink the miMATRIX size
  assert.throws(() => parseMat(inner, 'i.mat'), /^DataError: i\.mat: truncated data: data of 'x' at byte \d+ declares 24 bytes but only 8 remain$/);
});

test('parseMat() rejects sparse arrays, objects and corrupt array contents clearly', () => {
  const base = writeMat({ x: num([1, 2]) }, { smallElements: false });
  const flagsAt = 128 + 8 + 8; // tag of miMATRIX, tag of array flags
  const sparse = Buffer.from(base);
  sparse.writeUInt32LE(5, flagsAt);
  assert.throws(() => parseMat(sparse, 's.mat'), /^DataError: s\.mat: 'x' is a MATLAB sparse \(mxSPARSE\) array, which this reader does not support$/);
  const object = Buffer.from(base);
  object.writeUInt32LE(3, flagsAt);
  assert.throws(() => parseMat(object, 'o.mat'), /^DataError: o\.mat: 'x' is a MATLAB object \(mxOBJECT\) array, which this reader does not support$/);
  const unknown = Buffer.from(base);
  unknown.writeUInt32LE(99, flagsAt);
  assert.throws(() => parseMat(unknown, 'u.mat'), /^DataError: u\.mat: 'x': unknown class 99 \(corrupt array flags\?\)$/);
  const count = writeMat({ x: num([1, 2, 3], { dims: [2, 2] }) });
  assert.throws(() => parseMat(count, 'n.mat'), /^DataError: n\.mat: 'x': 3 values for dimensions 2x2$/);
  const badFlags = Buffer.from(base);
  badFlags.writeUInt32LE(5, 128 + 8); // array flags tagged as miINT32
  assert.throws(() => parseMat(badFlags, 'f.mat'), /^DataError: f\.mat: variable 1: corrupt array flags \(miINT32 of 8 bytes, expected miUINT32 of 8 bytes\)$/);
  const badCell = writeMat({ x: cell([{ kind: 'raw', bytes: Buffer.from([9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }]) });
  assert.throws(() => parseMat(badCell, 'c.mat'), /^DataError: c\.mat: 'x'\{1\}: expected an miMATRIX element but found miDOUBLE$/);
  const charAsDouble = writeMat({ x: { kind: 'numeric', class: 'double', dims: [1, 1], data: [1], storeAs: 'double' } });
  charAsDouble.writeUInt32LE(4, flagsAt); // mxCHAR with miDOUBLE data
  assert.throws(() => parseMat(charAsDouble, 'd.mat'), /^DataError: d\.mat: 'x': character data stored as miDOUBLE is not supported$/);
});

test('readMatFile() names the path when the file cannot be read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mat-'));
  try {
    assert.throws(() => readMatFile(path.join(dir, 'none.mat')), new RegExp(`^DataError: MAT-file ${dir}/none\\.mat does not exist$`));
    assert.throws(() => readMatFile(dir), new RegExp(`^DataError: MAT-file ${dir} is a folder, not a file$`));
    assert.throws(() => readMatFile(''), /^InvalidParameterError: Expected path of a MAT-file for file but received '' of type string$/);
    const file = path.join(dir, 'ok.mat');
    fs.writeFileSync(file, writeMat({ y: str('hi') }, { compress: true }));
    assert.deepEqual(matStrings(readMatFile(file).variables.y), ['hi']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('matField(), matNumbers(), matCell() and matStrings() name what they expected', () => {
  const s = only(writeMat({ x: struct({ a: num([1]), c: cell([num([1])]) }) }));
  assert.throws(() => matField(s, 'b', 'wiki'), /^DataError: wiki: no field 'b' \(fields: a, c\)$/);
  assert.throws(() => matField(matField(s, 'a'), 'b', 'wiki.a'), /^DataError: wiki\.a: expected a struct but found a double array 1x1$/);
  assert.throws(() => matNumbers(s, 'wiki'), /^DataError: wiki: expected a numeric array but found a struct array 1x1$/);
  assert.throws(() => matCell(matField(s, 'a'), 'wiki.a'), /^DataError: wiki\.a: expected a cell array but found a double array 1x1$/);
  assert.throws(() => matStrings(matField(s, 'a'), 'wiki.a'), /^DataError: wiki\.a: expected a cell array of strings but found a double array 1x1$/);
  assert.throws(() => matStrings(matField(s, 'c'), 'wiki.c'), /^DataError: wiki\.c\{1\}: expected a string but found a double array 1x1$/);
});

test('readMatFile() parses the real wiki.mat quickly with the known counts and rows', { skip: wikiMatMissing }, () => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const file = readMatFile(WIKI_MAT);
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`# wiki.mat parsed in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms of CPU)`);
  // CPU time, not wall time: the 2 shared cores may be busy with other test files.
  assert.ok(cpuMs < 2000, `parse took ${cpuMs.toFixed(0)} ms of CPU (${ms.toFixed(0)} ms wall)`);
  assert.deepEqual(file.names, ['wiki']);
  const w = file.variables.wiki;
  assert.deepEqual(w.type === 'struct' && w.fieldNames, ['dob', 'photo_taken', 'full_path', 'gender', 'name', 'face_location', 'face_score', 'second_face_score']);
  const gender = matNumbers(matField(w, 'gender'));
  assert.equal(gender.length, 62328);
  assert.equal(gender.filter((g) => g === 1).length, 47063);
  assert.equal(gender.filter((g) => g === 0).length, 12622);
  assert.equal(gender.filter((g) => Number.isNaN(g)).length, 2643);
  assert.equal(matNumbers(matField(w, 'face_score')).filter((s) => s === -Infinity).length, 18016);
  const paths = matStrings(matField(w, 'full_path'));
  assert.equal(paths[0], '17/10000217_1981-05-05_2009.jpg');
  assert.equal(paths[1], '48/10000548_1925-04-04_1964.jpg');
  assert.equal(matStrings(matField(w, 'name'))[0], 'Sami Jauhojärvi');
  assert.equal(matNumbers(matField(w, 'dob'))[0], 723671);
  assert.equal(matNumbers(matField(w, 'photo_taken'))[0], 2009);
  assert.deepEqual(Array.from(matNumbers(matCell(matField(w, 'face_location'))[3])), [1, 1, 634, 440]);
});

// Hand-made elements for corrupt-data cases (little-endian).
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const i32 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(x);
  return b;
}));
const el = (type: number, data: Buffer): Buffer => Buffer.concat([u32(type), u32(data.length), data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
const flags = (cls: number, f = 0): Buffer => el(6, Buffer.concat([u32((f << 8) | cls), u32(0)]));
const dims = (...d: number[]): Buffer => el(5, i32(...d));
const NAME = el(1, Buffer.from('x'));
const file = (...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([writeMat({}), u32(14), u32(body.length), body]);
};
const u16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

test('parseMat() names every kind of corrupt array content', () => {
  const cases: [Buffer, string][] = [
    [file(flags(6), dims(1, 1), Buffer.concat([u32((6 << 16) | 1), Buffer.from('xxxx')])),
      'corrupt element tag at byte 168 (name of variable 1): small data element of 6 bytes (at most 4)'],
    [file(flags(6), dims(1, 1), NAME, el(16, Buffer.from('a'))), "'x': expected numeric data but found miUTF8"],
    [file(flags(6), dims(1, 1), NAME, el(9, Buffer.alloc(7))), "'x': 7 bytes of miDOUBLE is not a whole number of values"],
    [file(flags(6, 0x08), dims(1, 2), NAME, el(9, Buffer.alloc(16)), el(9, Buffer.alloc(8))), "'x': 1 imaginary values for dimensions 1x2"],
    [file(flags(4), dims(1, 1), NAME, el(4, Buffer.alloc(3))), "'x': odd number of bytes (3) in 16-bit character data"],
    [file(flags(4), dims(1, 1), NAME, el(18, Buffer.alloc(3))), "'x': 3 bytes of 32-bit character data"],
    [file(flags(4), dims(2, 2), NAME, el(4, u16('abc'))), "'x': 3 characters for dimensions 2x2"],
    [file(flags(6), dims(1, -1), NAME), 'variable 1: negative dimension -1'],
    [file(flags(6), el(6, Buffer.alloc(8)), NAME), 'variable 1: corrupt dimensions (miUINT32 of 8 bytes, expected at least two miINT32)'],
    [file(flags(6), dims(1, 1), el(9, Buffer.alloc(8))), 'variable 1: corrupt array name (miDOUBLE)'],
    [file(flags(2), dims(1, 1), NAME, el(9, Buffer.alloc(8))), "'x': corrupt field name length (miDOUBLE)"],
    [file(flags(2), dims(1, 1), NAME, Buffer.concat([u32((4 << 16) | 5), i32(5)]), el(1, Buffer.alloc(7))),
      "'x': 7 bytes of field names are not a multiple of the field name length 5"],
    [file(flags(16), dims(1, 1), NAME), "'x' is a MATLAB function handle (mxFUNCTION) array, which this reader does not support"],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => parseMat(bytes, 'bad.mat'), { name: 'DataError', message: `bad.mat: ${message}` });
  }
  // 32-bit character data that is fine
  assert.deepEqual(matStrings(parseMat(file(flags(4), dims(1, 2), NAME, el(18, i32(0x1f600, 0x41))), 'ok.mat').variables.x), ['😀A']);
  let deep: WValue = num([1]);
  for (let i = 0; i < 70; i++) deep = cell([deep]);
  assert.throws(() => parseMat(writeMat({ x: deep })), /^DataError: MAT-file buffer: 'x'(\{1\}){65}: arrays nested deeper than 64 levels$/);
});

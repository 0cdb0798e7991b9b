import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'facetype';

const { csvField, formatCsv, parseCsv, parseCsvRows } = io;

const tricky = [
  'plain', 'with, comma', 'with "quotes"', 'line\nbreak', 'crlf\r\nbreak', '"', '""', ',', ' leading space', 'trailing space ',
  'Zoë Saldaña', '李小龙', 'emoji 🙂 face', 'tab\there', '',
];

test('formatCsv() then parseCsv() gives back every string: quotes, commas, newlines, unicode', () => {
  const rows = tricky.map((v, i) => ({ id: String(i), value: v, other: `${v}|${i}` }));
  const text = formatCsv(['id', 'value', 'other'], rows);
  const back = parseCsv(text);
  assert.deepEqual(back.columns, ['id', 'value', 'other']);
  assert.deepEqual(back.rows, rows);
});

test('formatCsv() writes numbers as is, null/undefined/NaN empty, infinities and booleans by name', () => {
  const text = formatCsv(['a', 'b', 'c', 'd', 'e', 'f'], [{ a: 1.5, b: null, c: undefined, d: NaN, e: -Infinity, f: true }]);
  assert.equal(text, 'a,b,c,d,e,f\n1.5,,,,-inf,true\n');
  assert.equal(csvField(Infinity), 'inf');
  assert.equal(csvField(false), 'false');
  assert.equal(csvField('a"b'), '"a""b"');
});

test('header names with commas and quotes round-trip too', () => {
  const cols = ['file', 'name, full', 'say "hi"'];
  const back = parseCsv(formatCsv(cols, [{ file: 'a.jpg', 'name, full': 'x', 'say "hi"': 'y' }]));
  assert.deepEqual(back.columns, cols);
  assert.deepEqual(back.rows, [{ file: 'a.jpg', 'name, full': 'x', 'say "hi"': 'y' }]);
});

test('parseCsvRows() reads CRLF line ends, a BOM, a missing final newline and empty fields', () => {
  assert.deepEqual(parseCsvRows('\ufeffa,b\r\n1,\r\n,2'), [['a', 'b'], ['1', ''], ['', '2']]);
  assert.deepEqual(parseCsvRows('a,"x\r\ny"\n'), [['a', 'x\r\ny']]);
});

test('parseCsv() fills missing trailing fields with empty strings and skips blank lines', () => {
  const r = parseCsv('a,b,c\n1,2\n\n4,5,6\n');
  assert.deepEqual(r.rows, [{ a: '1', b: '2', c: '' }, { a: '4', b: '5', c: '6' }]);
  assert.deepEqual(parseCsv(''), { columns: [], rows: [] });
});

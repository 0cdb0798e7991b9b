import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io } from 'facetype';

test('readCsvFrame() of a CSV without rows gives an empty frame that sorts, heads and shows its columns', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-frame-'));
  try {
    const file = path.join(dir, 'manifest.csv');
    fs.writeFileSync(file, 'photo,quality\n');
    const frame = io.readCsvFrame(file, ['photo', 'quality']).sortValues('quality', { ascending: false }).head(12);
    assert.deepEqual(frame.columns, ['photo', 'quality']);
    assert.deepEqual(frame.values, []);
    assert.deepEqual(frame.shape, [0, 2]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io, projectPaths, stages } from 'facetype';

test('stampMismatch() is null for unchanged inputs and names the input that changed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-stamp-'));
  try {
    const a = path.join(dir, 'a.csv');
    fs.writeFileSync(a, 'x\n1\n');
    assert.equal(io.stampMismatch(path.join(dir, 'out'), { 'a.csv': a }), 'no record of its inputs');
    io.writeStamp(path.join(dir, 'out'), { 'a.csv': a }, { seed: 1 });
    assert.equal(io.stampMismatch(path.join(dir, 'out'), { 'a.csv': a }), null);
    fs.writeFileSync(a, 'x\n2\n');
    assert.equal(io.stampMismatch(path.join(dir, 'out'), { 'a.csv': a }), 'a.csv changed since');
    assert.notEqual(io.makeStamp({}, { seed: 1 }).settings, io.makeStamp({}, { seed: 2 }).settings);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('staleAverages() flags averages made from other clusters, and removeAverages() clears them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-stale-'));
  try {
    const paths = projectPaths(dir);
    fs.mkdirSync(paths.averages, { recursive: true });
    fs.writeFileSync(path.join(paths.processed, 'clusters.csv'), 'face,cluster\na.jpg,0\n');
    fs.writeFileSync(path.join(paths.processed, 'faces.json'), '{}');
    assert.equal(stages.staleAverages(paths), null, 'no averages yet');
    for (const f of ['global.png', 'cluster-0.png', 'cluster-1.png']) fs.writeFileSync(path.join(paths.averages, f), 'png');
    assert.equal(stages.staleAverages(paths), 'no record of its inputs');
    io.writeStamp(paths.averages, stages.averagesInputs(paths));
    assert.equal(stages.staleAverages(paths), null);
    fs.writeFileSync(path.join(paths.processed, 'clusters.csv'), 'face,cluster\na.jpg,1\n'); // --only 02 with another seed
    assert.equal(stages.staleAverages(paths), 'clusters.csv changed since');
    assert.equal(stages.removeAverages(paths), 4);
    assert.deepEqual(fs.readdirSync(paths.averages), []);
    assert.equal(stages.staleAverages(paths), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

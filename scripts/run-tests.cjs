#!/usr/bin/env node
// Runs the compiled tests (build/test) with node's test runner.
// `npm test -- cluster faces` runs only the test folders or files whose path contains one of the words.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const testDir = path.join(root, 'build', 'test');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
})(testDir);
const selected = files.filter((f) => filters.length === 0 || filters.some((w) => path.relative(testDir, f).includes(w))).sort();
if (selected.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);

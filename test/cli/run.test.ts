import { test } from 'node:test';
import assert from 'node:assert/strict';

// the launcher of npm start / npm run demo (lib/src/cli/run.ts)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main, NOTEBOOKS } = require('facetype/dist/cli/run') as { main(argv: string[]): Promise<number>; NOTEBOOKS: string[] };

function capture(): { out: string[]; restore(): void } {
  const out: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => out.push(a.join(' '));
  return { out, restore: () => { console.log = log; console.error = err; } };
}

test('run --help prints the options and exits 0', async () => {
  const c = capture();
  try {
    assert.equal(await main(['--help']), 0);
  } finally {
    c.restore();
  }
  assert.match(c.out.join('\n'), /--source wiki\|demo\|<folder>/);
  assert.match(c.out.join('\n'), /--k 2\.\.10\|auto/);
});

test('run rejects an unknown option and a bad k with exit code 2 and a clear message', async () => {
  const c = capture();
  try {
    assert.equal(await main(['--frobnicate']), 2);
    assert.equal(await main(['--k']), 2);
    assert.equal(await main(['--k', '12', '--source', 'demo']), 2);
  } finally {
    c.restore();
    delete process.env.FACETYPE_K;
    delete process.env.FACETYPE_SOURCE;
  }
  const text = c.out.join('\n');
  assert.match(text, /unknown option --frobnicate/);
  assert.match(text, /--k needs a value/);
  assert.match(text, /^error: --k expects auto or a whole number from 2 to 10, but received "12"$/m);
});

test('the launcher runs the three notebooks in pipeline order', () => {
  assert.deepEqual(NOTEBOOKS, ['01_data_preparation.ipynb', '02_clustering.ipynb', '03_average_face.ipynb']);
});

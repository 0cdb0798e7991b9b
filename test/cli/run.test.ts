import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stages } from 'facetype';

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

/** Runs main() with argv; returns its exit code and everything it printed. */
async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const c = capture();
  let code: number;
  try {
    code = await main(argv);
  } finally {
    c.restore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return { code, text: c.out.join('\n') };
}

test('run checks what the user typed before any notebook: one line naming the flag, exit 2 for usage, 1 for data', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-cli-'));
  try {
    const data = path.join(dir, 'data');
    const empty = path.join(dir, 'empty');
    const textOnly = path.join(dir, 'text-only');
    fs.mkdirSync(empty);
    fs.mkdirSync(path.join(textOnly, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(textOnly, 'sub', 'notes.txt'), 'x');
    fs.writeFileSync(path.join(textOnly, '.hidden.jpg'), 'x');
    const file = path.join(dir, 'photo.jpg');
    fs.writeFileSync(file, 'x');
    const common = ['--data', data, '--reports', path.join(dir, 'reports')];
    const cases: [string[], number, RegExp][] = [
      [['--keep', '0', '--source', 'demo'], 2, /^error: --keep expects a whole number of faces, 1 or more, but received "0"$/],
      [['--keep', '12.5', '--source', 'demo'], 2, /^error: --keep expects a whole number of faces, 1 or more, but received "12\.5"$/],
      [['--k', '1', '--source', 'demo'], 2, /^error: --k expects auto or a whole number from 2 to 10, but received "1"$/],
      [['--k', 'four', '--source', 'demo'], 2, /^error: --k expects auto or a whole number from 2 to 10, but received "four"$/],
      [['--only', '04', '--source', 'demo'], 2, /^error: --only expects notebook numbers among 01,02,03, but received "04"$/],
      [['--source', '--keep', '5'], 2, /^error: --source needs a value$/],
      [['--source', path.join(dir, 'missing')], 1, /^error: --source .*missing: no such folder \(.*missing\); give wiki, demo or a folder of photos$/],
      [['--source', file], 1, /^error: --source .*photo\.jpg: .*photo\.jpg is a file, not a folder of photos$/],
      [['--source', empty], 1, /^error: --source .*empty: no image file in .*empty \(looked for \.jpg .* in subfolders too\)$/],
      [['--source', textOnly], 1, /^error: --source .*text-only: no image file in /],
      [['--source', 'demo', '--only', '02'], 1, /^error: --only 02 needs .*faces\.json, which notebook 01 writes: run it first \(or without --only\)$/],
      [['--source', 'demo', '--data', path.join(file, 'data')], 1, /^error: --data .*photo\.jpg.data: cannot write there \(ENOTDIR\)$/],
    ];
    for (const [argv, code, re] of cases) {
      const r = await cli([...common, ...argv]);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.text}`);
      assert.match(r.text, re, argv.join(' '));
      assert.equal(r.text.split('\n').length, 1, `${argv.join(' ')} printed several lines:\n${r.text}`);
      assert.doesNotMatch(r.text, /FACETYPE_|    at /);
    }
    // a variable the user set is named as such
    const env = await cli([...common, '--source', 'demo'], { FACETYPE_KEEP: '0' });
    assert.equal(env.code, 2);
    assert.match(env.text, /FACETYPE_KEEP/);
    assert.equal(fs.existsSync(path.join(data, '.facetype.lock')), false, 'a refused run left its lock');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('run on the WIKI source offline says in one line where to put the archive', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-cli-'));
  try {
    const r = await cli(['--data', path.join(dir, 'data'), '--reports', path.join(dir, 'reports')], { FACETYPE_WIKI_URL: 'http://127.0.0.1:9/wiki_crop.tar' });
    const errors = r.text.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(r.code, 1, r.text);
    assert.equal(errors.length, 1, r.text);
    assert.match(errors[0], /^error: could not download http:\/\/127\.0\.0\.1:9\/wiki_crop\.tar: .*; download it yourself and put it at .*data.raw.wiki_crop\.tar, or use --source <folder>$/);
    assert.doesNotMatch(r.text, /    at /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('kRange() with a fixed k on too few faces names that k, not "k = 2 and more"', () => {
  assert.throws(() => stages.kRange(3, 0.8, 4), /^DataError: only 3 faces: k = 4 needs at least 8$/);
  assert.throws(() => stages.kRange(8, 0.8, 6), /^DataError: only 8 faces: k = 6 needs at least 12$/);
  assert.deepEqual(stages.kRange(12, 0.8, 4), { kMin: 2, kMax: 6 });
});

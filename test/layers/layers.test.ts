/**
 * The library's layers (DEVELOPERS.md): a module imports only from its own layer or below, the
 * pure algorithms of cluster/ import nothing but validate and the generic runtime, the environment
 * is read only in config.ts (and the command line), and no product code reads ../shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from 'facetype';

/** Low to high; a module may import its own layer and any lower one. */
const RANK: Record<string, number> = {
  validate: 0, io: 1, runtime: 2, sources: 3, faces: 4, features: 5, cluster: 6, average: 7,
  config: 8, stages: 9, plots: 10, report: 11, notebook: 11, cli: 12, index: 13,
};
/** Layers with a narrower allowance than their rank gives. */
const ONLY: Record<string, string[]> = { cluster: ['validate', 'runtime', 'cluster'] };

const SRC = path.join(projectRoot(), 'lib', 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** 'cluster' for lib/src/cluster/kmeans.ts, 'config' for lib/src/config.ts. */
function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, '');
}

/** Relative imports and requires of a file, resolved to layers. */
export function importedLayers(file: string, text: string): { spec: string; layer: string }[] {
  const out: { spec: string; layer: string }[] = [];
  const re = /(?:from\s+|require(?:\.resolve)?\(|import\()\s*'(\.{1,2}\/[^']*)'/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const target = path.resolve(path.dirname(file), m[1]);
    out.push({ spec: m[1], layer: layerOf(target.endsWith('.ts') ? target : `${target}.ts`) });
  }
  return out;
}

test('every lib/src module imports only from its own layer or below', () => {
  const breaches: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    assert.ok(from in RANK, `${path.relative(SRC, file)} is in no known layer (add it to RANK)`);
    for (const { spec, layer } of importedLayers(file, fs.readFileSync(file, 'utf8'))) {
      if (layer === from) continue;
      const allowed = ONLY[from] ? ONLY[from].includes(layer) : RANK[layer] <= RANK[from];
      if (!allowed) breaches.push(`${path.relative(SRC, file)} (${from}) imports ${spec} (${layer})`);
    }
  }
  assert.deepEqual(breaches, []);
});

test('the layer check itself flags an upward import', () => {
  const file = path.join(SRC, 'runtime', 'pool.ts');
  const found = importedLayers(file, "import { x } from '../stages/prepare';\nconst w = require.resolve('../faces/prepare-worker');");
  assert.deepEqual(found.map((f) => f.layer), ['stages', 'faces']);
  assert.ok(RANK.stages > RANK.runtime && RANK.faces > RANK.runtime);
});

test('the environment is read only in config.ts and cli/', () => {
  const readers = sources(SRC)
    .filter((f) => !f.endsWith(`${path.sep}config.ts`) && layerOf(f) !== 'cli')
    .filter((f) => /process\.env(\.[A-Z_]+|\[)/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(SRC, f));
  assert.deepEqual(readers, []);
});

test('no product code reads ../shared', () => {
  const readers = sources(SRC)
    .filter((f) => /'shared'|\.\.\/shared/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(SRC, f));
  assert.deepEqual(readers, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot, runtime } from 'facetype';

const skip = runtime.notebookSkipReason();
if (skip) console.log(`# skipping notebook 01: ${skip}`);

test('notebook 01 runs headless on the demo source and produces its charts, sheets and files', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-nb01-'));
  const out = path.join(data, 'reports');
  try {
    const r = await runtime.executeNotebook(path.join(projectRoot(), 'notebooks', '01_data_preparation.ipynb'), {
      outDir: out,
      env: { FACETYPE_SOURCE: 'demo', FACETYPE_DATA: data, FACETYPE_KEEP: '9000' },
    });
    const o = runtime.readOutputs(r.executed);
    assert.deepEqual(o.errors, []);
    assert.doesNotMatch(o.stderr, /Error/);
    // funnel, pose, sharpness, size charts as Plotly mime with an HTML fallback
    assert.ok((o.counts['application/vnd.plotly.v1+json'] ?? 0) >= 4, JSON.stringify(o.counts));
    for (const types of o.mimeTypes) if (types.includes('application/vnd.plotly.v1+json')) assert.ok(types.includes('text/html') && types.includes('text/plain'), 'a chart without its fallback');
    // contact sheets of kept and rejected faces
    assert.ok((o.counts['image/png'] ?? 0) >= 2);
    const faces = fs.readdirSync(path.join(data, 'processed', 'faces'));
    assert.ok(faces.length >= 8, `only ${faces.length} faces kept from the demo`);
    const manifest = fs.readFileSync(path.join(data, 'processed', 'manifest.csv'), 'utf8').trim().split('\n');
    assert.ok(manifest.length > faces.length, 'the manifest lists rejected candidates too');
    const facesJson = JSON.parse(fs.readFileSync(path.join(data, 'processed', 'faces.json'), 'utf8')) as { faces: unknown[] };
    assert.equal(facesJson.faces.length, faces.length);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});

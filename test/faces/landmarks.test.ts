import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces } from 'facetype';

test('MESH_TO_68 has 68 entries of valid mesh vertices', () => {
  assert.equal(faces.MESH_TO_68.length, 68);
  for (const e of faces.MESH_TO_68) for (const v of e) assert.ok(Number.isInteger(v) && v >= 0 && v < 468);
});

test('meshTo68() averages the listed vertices (pairs) and copies single ones', () => {
  const mesh = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) { mesh[3 * i] = i; mesh[3 * i + 1] = 2 * i; mesh[3 * i + 2] = -i; }
  const lm = faces.meshTo68(mesh, 3);
  assert.equal(lm.length, 136);
  assert.deepEqual([lm[0], lm[1]], [127, 254]); // jaw 0 <- vertex 127
  assert.deepEqual([lm[2 * 3], lm[2 * 3 + 1]], [(132 + 58) / 2, 132 + 58]); // jaw 3 <- mean of 132 and 58
});

test('eyeCentersFromMesh() returns the right eye (image left) first', () => {
  const mesh = new Float32Array(468 * 3);
  for (const v of faces.MESH.rightEye) mesh[3 * v] = 100;
  for (const v of faces.MESH.leftEye) mesh[3 * v] = 160;
  const [r, l] = faces.eyeCentersFromMesh(mesh, 3);
  assert.equal(r[0], 100);
  assert.equal(l[0], 160);
});

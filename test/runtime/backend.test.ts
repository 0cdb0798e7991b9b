import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtime } from 'facetype';

test('initBackend() picks a real backend (native or WASM with SIMD), never the pure-JS cpu one', async () => {
  const { tf, info } = await runtime.initBackend();
  assert.ok(['tensorflow', 'wasm'].includes(info.name));
  assert.equal(tf.getBackend(), info.name);
  assert.match(runtime.describeBackend(info), /tfjs 4\.\d+\.\d+ on (WASM|native TensorFlow)/);
});

test('the fast WASM Concat kernel gives the same tensors as tf.concat did, on every axis', async (t) => {
  const { tf, info } = await runtime.initBackend();
  if (info.name !== 'wasm') {
    t.skip(`the backend is ${info.name}, not wasm: the WASM Concat kernel is not in use`);
    return;
  }
  const a = tf.randomUniform([2, 3, 4, 5], -1, 1, 'float32', 1);
  const b = tf.randomUniform([2, 3, 4, 7], -1, 1, 'float32', 2);
  const c = tf.randomUniform([2, 3, 4, 70], -1, 1, 'float32', 3);
  const ai = tf.randomUniform([2, 6], 0, 100, 'int32', 4);
  const bi = tf.randomUniform([5, 6], 0, 100, 'int32', 5);
  const out = tf.concat([a, b, c], 3);
  assert.deepEqual(out.shape, [2, 3, 4, 82]);
  const [va, vb, vc, vo] = [a, b, c, out].map((t) => t.arraySync() as number[][][][]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
    assert.deepEqual(vo[i][j][k], [...va[i][j][k], ...vb[i][j][k], ...vc[i][j][k]]);
  }
  const rows = tf.concat([ai, bi], 0);
  assert.deepEqual(rows.arraySync(), [...(ai.arraySync() as number[][]), ...(bi.arraySync() as number[][])]);
  const mid = tf.concat([a, a], 1);
  assert.deepEqual(mid.shape, [2, 6, 4, 5]);
  assert.deepEqual((mid.arraySync() as number[][][][])[1][4], (a.arraySync() as number[][][][])[1][1]);
  const single = tf.concat([a, tf.zeros([2, 3, 4, 0])], 3);
  assert.deepEqual(single.arraySync(), va);
  tf.dispose([a, b, c, ai, bi, out, rows, mid, single]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io, runtime } from 'facetype';

const { ort, reason } = runtime.onnxRuntime();

test('encodeOnnxModel() builds a model onnxruntime-node runs: Conv + bias + Relu equals the direct sum', { skip: ort ? false : `onnxruntime-node unavailable: ${reason}` }, async () => {
  // 1x2x3x3 input, one 2x2 filter over 2 channels, bias -1, then Relu
  const w = Float32Array.from([1, 2, 3, 4, -1, 0.5, 0.25, 2]);
  const withHalf = io.encodeOnnxModel({
    name: 'conv',
    inputs: [{ name: 'x', shape: ['batch', 2, 3, 3] }],
    outputs: [{ name: 'y', shape: ['batch', 4] }],
    initializers: [
      { name: 'w', dims: [1, 2, 2, 2], data: w },
      { name: 'b', dims: [1], data: Float32Array.from([-1]) },
      { name: 'shape', dims: [2], data: { int64: [-1, 4] } },
      { name: 'half', dims: [], data: Float32Array.from([0.5]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [2, 2], strides: [1, 1] } },
      { op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['f'] },
      { op: 'Mul', inputs: ['f', 'half'], outputs: ['y'] },
    ],
  });
  const session = await runtime.OnnxSession.create(ort!, withHalf);
  const B = 2;
  const x = Float32Array.from({ length: B * 18 }, (_, i) => Math.sin(i) * 3);
  const out = (await session.run({ x: { data: x, dims: [B, 2, 3, 3] } })).y;
  assert.deepEqual(out.dims, [B, 4]);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < 2; ox++) {
        let s = -1;
        for (let c = 0; c < 2; c++) for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 2; kx++) s += w[c * 4 + ky * 2 + kx] * x[b * 18 + c * 9 + (oy + ky) * 3 + ox + kx];
        assert.ok(Math.abs(out.data[b * 4 + oy * 2 + ox] - 0.5 * Math.max(0, s)) < 1e-5);
      }
    }
  }
});

test('onnxRuntime({ onnx: "off" }) declines with the reason', () => {
  assert.deepEqual(runtime.onnxRuntime({ onnx: 'off' }), { ort: null, reason: 'FACETYPE_ONNX=off' });
});

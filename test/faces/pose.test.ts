import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces } from 'facetype';

/** A synthetic mesh holding only the vertices pose uses, rotated by the given pose. */
function meshFor(pose: faces.HeadPose): Float32Array {
  const [x, y, z] = faces.axesFromPose(pose);
  const mesh = new Float32Array(468 * 3);
  // frontal face-frame positions: cheeks on x, forehead/chin on y, nose tip in front (-z)
  const put = (i: number, fx: number, fy: number, fz: number) => {
    for (let k = 0; k < 3; k++) mesh[3 * i + k] = x[k] * fx + y[k] * fy + z[k] * fz + (k < 2 ? 300 : 0);
  };
  put(faces.MESH.rightCheek, -70, 0, 0);
  put(faces.MESH.leftCheek, 70, 0, 0);
  put(faces.MESH.foreheadTop, 0, -90, 0);
  put(faces.MESH.chin, 0, 95, 0);
  return mesh;
}

test('poseFromMesh() of a frontal mesh is zero', () => {
  const p = faces.poseFromMesh(meshFor({ yaw: 0, pitch: 0, roll: 0 }));
  for (const v of [p.yaw, p.pitch, p.roll]) assert.ok(Math.abs(v) < 1e-6);
});

for (const pose of [{ yaw: 20, pitch: 0, roll: 0 }, { yaw: 0, pitch: -15, roll: 0 }, { yaw: 0, pitch: 0, roll: 30 }, { yaw: -25, pitch: 10, roll: -12 }]) {
  test(`poseFromMesh() recovers yaw ${pose.yaw}, pitch ${pose.pitch}, roll ${pose.roll}`, () => {
    const p = faces.poseFromMesh(meshFor(pose));
    assert.ok(Math.abs(p.yaw - pose.yaw) < 1e-3, `yaw ${p.yaw}`);
    assert.ok(Math.abs(p.pitch - pose.pitch) < 1e-3, `pitch ${p.pitch}`);
    assert.ok(Math.abs(p.roll - pose.roll) < 1e-3, `roll ${p.roll}`);
  });
}

test('poseFromMesh() signs: turning to the image right is positive yaw, chin up is positive pitch', () => {
  // the left cheek (image right) recedes when the face turns to the image right
  const turned = meshFor({ yaw: 0, pitch: 0, roll: 0 });
  turned[3 * faces.MESH.leftCheek + 2] += 30;
  turned[3 * faces.MESH.rightCheek + 2] -= 30;
  assert.ok(faces.poseFromMesh(turned).yaw > 10);
  const up = meshFor({ yaw: 0, pitch: 0, roll: 0 });
  up[3 * faces.MESH.chin + 2] -= 30;
  up[3 * faces.MESH.foreheadTop + 2] += 30;
  assert.ok(faces.poseFromMesh(up).pitch > 10);
});

test('poseFrom68() measures roll from the eye line', () => {
  const lm = new Float32Array(136);
  for (let i = 36; i < 42; i++) { lm[2 * i] = 100; lm[2 * i + 1] = 100; }
  for (let i = 42; i < 48; i++) { lm[2 * i] = 150; lm[2 * i + 1] = 150; }
  assert.ok(Math.abs(faces.poseFrom68(lm).roll - 45) < 1e-9);
});

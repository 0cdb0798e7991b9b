/**
 * Head pose (yaw, pitch, roll in degrees) from landmarks.
 *
 * From the 3-D face mesh: the face's own axes are the cheek-to-cheek vector (x: mesh 234 -> 454)
 * and the forehead-to-chin vector (y: mesh 10 -> 152), made orthonormal; z = x cross y points away
 * from the camera. The rotation matrix with these axes as rows gives the Euler angles
 * (yaw about the vertical axis, pitch about the horizontal one, roll in the image plane).
 *
 * Signs: yaw > 0 when the face turns toward the image's right side (the subject looks to their
 * left); pitch > 0 when the chin comes up (the subject looks up); roll > 0 when the head tilts
 * clockwise in the image. A frontal face has all three near 0.
 *
 * From 2-D landmarks only (68 points): roll from the eye line, yaw and pitch estimated from where
 * the nose tip sits between the face edges and between the eyes and the mouth (a weak-perspective
 * approximation, used when no depth is available).
 */
import { MESH } from './landmarks';

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

type V3 = [number, number, number];

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3): V3 => {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};
const deg = (r: number): number => (r * 180) / Math.PI;

function vertex(mesh: ArrayLike<number>, i: number): V3 {
  return [mesh[3 * i], mesh[3 * i + 1], mesh[3 * i + 2]];
}

/**
 * Pose from a 468-point mesh (flat x,y,z; z in the same units as x and y, larger = farther).
 * Returns angles in degrees.
 */
export function poseFromMesh(mesh: ArrayLike<number>): HeadPose {
  const xAxis0 = norm(sub(vertex(mesh, MESH.leftCheek), vertex(mesh, MESH.rightCheek)));
  const yAxis = norm(sub(vertex(mesh, MESH.chin), vertex(mesh, MESH.foreheadTop)));
  const zAxis = norm(cross(xAxis0, yAxis));
  const xAxis = norm(cross(yAxis, zAxis));
  return poseFromAxes(xAxis, yAxis, zAxis);
}

/**
 * Euler angles of the rotation whose rows are the face axes expressed in camera coordinates
 * (x right, y down, z into the scene). Decomposition R = Rz(roll) * Ry(yaw) * Rx(pitch) applied to
 * the frontal face.
 */
export function poseFromAxes(x: V3, y: V3, z: V3): HeadPose {
  // Columns of the face-to-camera rotation are the face axes: R = [x y z].
  // R = Rz(r) Ry(w) Rx(p): R[2][0] = -sin(w); R[2][1] = cos(w) sin(p); R[2][2] = cos(w) cos(p);
  // R[1][0] = sin(r) cos(w); R[0][0] = cos(r) cos(w).
  const r20 = x[2];
  const r21 = y[2];
  const r22 = z[2];
  const r10 = x[1];
  const r00 = x[0];
  const yawRad = Math.asin(Math.max(-1, Math.min(1, -r20)));
  const pitchRad = Math.atan2(r21, r22);
  const rollRad = Math.atan2(r10, r00);
  // yaw > 0: the face turns toward the image's right: its x axis (right cheek -> left cheek,
  // pointing image-right) then recedes (z grows) -> r20 > 0 -> -asin(...) < 0: flip the sign.
  // pitch > 0: chin up: the y axis (forehead -> chin) comes toward the camera (z shrinks) -> r21 < 0.
  return { yaw: -deg(yawRad), pitch: -deg(pitchRad), roll: deg(rollRad) };
}

/** Rotation matrix (rows) for given angles, the inverse of poseFromAxes (used by tests). */
export function axesFromPose(pose: HeadPose): [V3, V3, V3] {
  const w = (-pose.yaw * Math.PI) / 180;
  const p = (-pose.pitch * Math.PI) / 180;
  const r = (pose.roll * Math.PI) / 180;
  const cw = Math.cos(w), sw = Math.sin(w), cp = Math.cos(p), sp = Math.sin(p), cr = Math.cos(r), sr = Math.sin(r);
  // R = Rz(r) Ry(w) Rx(p)
  const R = [
    [cr * cw, cr * sw * sp - sr * cp, cr * sw * cp + sr * sp],
    [sr * cw, sr * sw * sp + cr * cp, sr * sw * cp - cr * sp],
    [-sw, cw * sp, cw * cp],
  ];
  const col = (j: number): V3 => [R[0][j], R[1][j], R[2][j]];
  return [col(0), col(1), col(2)];
}

/**
 * Pose from 68 2-D landmarks (weak perspective). Roll is exact for the eye line; yaw and pitch are
 * approximations good to ~10 degrees near frontal, for use when no mesh depth is available.
 */
export function poseFrom68(lm: ArrayLike<number>): HeadPose {
  const p = (i: number): [number, number] => [lm[2 * i], lm[2 * i + 1]];
  const mean = (idx: number[]): [number, number] => {
    let x = 0, y = 0;
    for (const i of idx) {
      x += lm[2 * i];
      y += lm[2 * i + 1];
    }
    return [x / idx.length, y / idx.length];
  };
  const re = mean([36, 37, 38, 39, 40, 41]);
  const le = mean([42, 43, 44, 45, 46, 47]);
  const roll = deg(Math.atan2(le[1] - re[1], le[0] - re[0]));
  // undo roll about the eye midpoint
  const c = Math.cos((-roll * Math.PI) / 180);
  const s = Math.sin((-roll * Math.PI) / 180);
  const mid: [number, number] = [(re[0] + le[0]) / 2, (re[1] + le[1]) / 2];
  const un = (q: [number, number]): [number, number] => {
    const dx = q[0] - mid[0], dy = q[1] - mid[1];
    return [c * dx - s * dy, s * dx + c * dy];
  };
  const nose = un(p(30));
  const jawL = un(p(0));
  const jawR = un(p(16));
  const mouth = un(mean([48, 54]));
  const half = (jawR[0] - jawL[0]) / 2 || 1;
  const center = (jawR[0] + jawL[0]) / 2;
  // the nose tip sits ~0.6 of the half-width in front of the face plane's centre line
  const yaw = deg(Math.asin(Math.max(-1, Math.min(1, (nose[0] - center) / (0.6 * half)))));
  // frontal: nose tip at ~0.55 of the eye->mouth distance
  const ratio = mouth[1] !== 0 ? nose[1] / mouth[1] : 0.55;
  const pitch = deg(Math.asin(Math.max(-1, Math.min(1, (0.55 - ratio) / 0.5))));
  return { yaw, pitch, roll };
}

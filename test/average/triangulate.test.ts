import { test } from 'node:test';
import assert from 'node:assert/strict';
import { average } from 'facetype';
import { random, template68 } from './helpers';

const S = 128;

/** Delaunay property: no point strictly inside a triangle's circumcircle (relative tolerance). */
function delaunayViolations(p: Float32Array, t: Uint32Array): number {
  let bad = 0;
  for (let k = 0; k < t.length; k += 3) {
    const [ax, ay, bx, by, cx, cy] = [p[2 * t[k]], p[2 * t[k] + 1], p[2 * t[k + 1]], p[2 * t[k + 1] + 1], p[2 * t[k + 2]], p[2 * t[k + 2] + 1]];
    const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
    const ux = ((ax * ax + ay * ay) * (by - cy) + (bx * bx + by * by) * (cy - ay) + (cx * cx + cy * cy) * (ay - by)) / d;
    const uy = ((ax * ax + ay * ay) * (cx - bx) + (bx * bx + by * by) * (ax - cx) + (cx * cx + cy * cy) * (bx - ax)) / d;
    const r2 = (ax - ux) ** 2 + (ay - uy) ** 2;
    for (let i = 0; i < p.length / 2; i++) {
      if (i === t[k] || i === t[k + 1] || i === t[k + 2]) continue;
      if ((p[2 * i] - ux) ** 2 + (p[2 * i + 1] - uy) ** 2 < r2 * (1 - 1e-6)) bad++;
    }
  }
  return bad;
}

function checkMesh(mesh: average.FaceMesh): void {
  const { points: p, triangles: t } = mesh;
  assert.equal(t.length % 3, 0);
  let area = 0;
  for (let k = 0; k < t.length; k += 3) {
    const a = average.triangleArea(p, t[k], t[k + 1], t[k + 2]);
    assert.ok(a > 1e-6, `triangle ${k / 3} is degenerate or clockwise (area ${a})`);
    area += a;
  }
  // the triangles tile the convex hull of the points: same total area
  const hull = average.convexHull(p);
  const hullArea = average.polygonArea(p, hull);
  assert.ok(Math.abs(area - hullArea) < 1e-6 * hullArea, `triangles cover ${area}, hull ${hullArea}`);
  assert.equal(delaunayViolations(p, t), 0, 'Delaunay property');
}

test('triangulate() of the 68-point template with 16 frame points is valid and covers the frame', () => {
  const mesh = average.triangulate(template68(S), { width: S });
  assert.equal(mesh.landmarkCount, 68);
  assert.equal(mesh.points.length / 2, 68 + 16);
  checkMesh(mesh);
  // the hull is the image's outer edge: every pixel centre is in a triangle
  assert.ok(Math.abs(average.polygonArea(mesh.points, average.convexHull(mesh.points)) - S * S) < 1e-3);
  assert.equal(average.prepareWarp(mesh).pixels.length, S * S);
});

test('triangulate() with a ring and 8 frame points on random points is valid', () => {
  const rnd = random(11);
  const pts = Float32Array.from({ length: 2 * 200 }, () => 30 + rnd() * 60);
  const mesh = average.triangulate(pts, { width: S, height: 100, borderPoints: 8, ring: 1.4 });
  const hull = average.convexHull(pts);
  assert.equal(mesh.ringIndices.length, hull.length);
  assert.equal(mesh.points.length / 2, 200 + hull.length + 8);
  checkMesh(mesh);
  assert.equal(average.prepareWarp(mesh).pixels.length, S * 100);
});

test('triangulate() reuses given ring indices so several targets share one layout', () => {
  const t = template68(S);
  const a = average.triangulate(t, { width: S, ring: 1.3 });
  const moved = t.map((v) => v + 2);
  const b = average.triangulate(moved, { width: S, ring: 1.3, ringIndices: a.ringIndices });
  assert.deepEqual(Array.from(b.ringIndices), Array.from(a.ringIndices));
  assert.equal(b.points.length, a.points.length);
  checkMesh(b);
});

test('framePoints() puts the corners and spreads the rest over the sides', () => {
  const f = average.framePoints(8, 10, 20);
  assert.deepEqual(Array.from(f), [-0.5, -0.5, 4.5, -0.5, 9.5, -0.5, 9.5, 9.5, 9.5, 19.5, 4.5, 19.5, -0.5, 19.5, -0.5, 9.5]);
  assert.equal(average.framePoints(13, 10, 10).length, 26);
});

test('extendPoints() builds a face\'s ring from its own landmarks', () => {
  const t = template68(S);
  const mesh = average.triangulate(t, { width: S, ring: 2 });
  const ext = average.extendPoints(t.map((v) => v / 2), mesh, 64, 64);
  // ring point r = centroid + 2 (hull point - centroid), on the half-size face
  const [cx, cy] = average.centroid(t.map((v) => v / 2));
  const i = mesh.ringIndices[0];
  assert.ok(Math.abs(ext[2 * 68] - (cx + 2 * (t[2 * i] / 2 - cx))) < 1e-4);
  assert.ok(Math.abs(ext[2 * 68 + 1] - (cy + 2 * (t[2 * i + 1] / 2 - cy))) < 1e-4);
  // frame points of the 64 x 64 image
  assert.equal(ext[ext.length - 2], -0.5);
});

test('convexHull() is counter-clockwise on screen without collinear points', () => {
  const p = [0, 0, 2, 0, 1, 0, 2, 2, 0, 2, 1, 1];
  const h = average.convexHull(p);
  assert.equal(h.length, 4);
  assert.ok(average.polygonArea(p, h) > 0);
  assert.equal(average.polygonArea(p, h), 4);
  // on screen (y down), 0,0 -> 0,2 -> 2,2 turns counter-clockwise
  assert.ok(average.orientedArea(0, 0, 0, 2, 2, 2) > 0);
});

test('triangulate() rejects bad input with named parameters', () => {
  const t = template68(S);
  assert.throws(() => average.triangulate(t, { width: 1 }), /Expected integer >= 2 for width but received 1 of type number/);
  assert.throws(() => average.triangulate(t, { height: 2.5 }), /Expected integer >= 2 for height but received 2.5 of type number/);
  assert.throws(() => average.triangulate(t, { borderPoints: 4 }), /Expected integer >= 8 for borderPoints but received 4 of type number/);
  assert.throws(() => average.triangulate(t, { ring: -1 }), /Expected number in \[0, 10\] for ring but received -1 of type number/);
  assert.throws(() => average.triangulate([1, 2, 3, 4]), /Expected x, y coordinates of at least 3 points for points but received an array of length 4/);
  assert.throws(() => average.triangulate([0, 0, 1, 0, 0, Infinity]), /Expected finite number for points\[5\] but received Infinity of type number/);
  assert.throws(() => average.triangulate(t, { ring: 1.2, ringIndices: [3, 99] }), /Expected landmark index < 68 for ringIndices\[1\] but received 99 of type number/);
  assert.throws(() => average.triangulate(t, { border: 8 } as never), /Expected a known option \(width, height, borderPoints, ring, ringIndices\) for triangulate options.border but received 'border' of type string/);
  assert.throws(() => average.framePoints(7, 10, 10), /Expected integer >= 8 for borderPoints but received 7 of type number/);
  const mesh = average.triangulate(t, { width: S });
  assert.throws(() => average.extendPoints([1, 2], mesh, S, S), /Expected 136 coordinates \(68 landmarks, as the mesh\) for points but received an array of length 2/);
});

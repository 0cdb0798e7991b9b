import { test } from 'node:test';
import assert from 'node:assert/strict';
import { average } from 'facetype';
import { channels, imageFrom, maxDiff, pattern, random, template68 } from './helpers';

const S = 96;

/** Random landmarks in the middle of the image. */
function landmarks(n: number, seed: number): Float32Array {
  const rnd = random(seed);
  return Float32Array.from({ length: 2 * n }, () => 25 + rnd() * (S - 50));
}

/** An affine map and its inverse. */
const M = [0.92, 0.12, -0.07, 1.05];
const t = [6, -4];
const forward = (x: number, y: number): [number, number] => [M[0] * x + M[1] * y + t[0], M[2] * x + M[3] * y + t[1]];
const det = M[0] * M[3] - M[1] * M[2];
const inverse = (x: number, y: number): [number, number] => {
  const u = x - t[0];
  const v = y - t[1];
  return [(M[3] * u - M[1] * v) / det, (-M[2] * u + M[0] * v) / det];
};

/**
 * Destination pixels in triangles made of landmarks only: there the warp is exactly the affine map
 * (triangles that touch a frame point blend it with the fixed frame).
 */
function landmarkPixels(mesh: average.FaceMesh): number[] {
  const map = average.prepareWarp(mesh);
  const out: number[] = [];
  for (let k = 0; k < map.pixels.length; k++) {
    const t = map.triangle[k];
    if (Math.max(mesh.triangles[3 * t], mesh.triangles[3 * t + 1], mesh.triangles[3 * t + 2]) < mesh.landmarkCount) out.push(map.pixels[k]);
  }
  return out;
}

/** Destination pixels inside the convex hull of points, at least `inset` pixels from its edge. */
function insideHull(points: Float32Array, inset: number): number[] {
  const hull = average.convexHull(points);
  const out: number[] = [];
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      let ok = true;
      for (let k = 0; k < hull.length && ok; k++) {
        const a = hull[k];
        const b = hull[(k + 1) % hull.length];
        const ex = points[2 * b] - points[2 * a];
        const ey = points[2 * b + 1] - points[2 * a + 1];
        const s = ((x - points[2 * a]) * ey - ex * (y - points[2 * a + 1])) / Math.hypot(ex, ey);
        if (s < inset) ok = false;
      }
      if (ok) out.push(y * S + x);
    }
  }
  return out;
}

test('warpImage() with points related by a known affine map recovers source positions to sub-pixel accuracy', () => {
  // a linear ramp image: bilinear interpolation reproduces it exactly, so the warped red and green
  // channels ARE the source coordinates the warp sampled
  const ramp = imageFrom(S, S, (x, y) => [x * 2, y * 2, 0]);
  const src = landmarks(40, 5);
  const dst = src.map((_, i) => (i % 2 === 0 ? forward(src[i], src[i + 1])[0] : forward(src[i - 1], src[i])[1]));
  const mesh = average.triangulate(dst, { width: S });
  const out = average.warpImage(ramp, src, mesh);
  const inside = landmarkPixels(mesh);
  assert.ok(inside.length > 1000, `${inside.length} pixels inside`);
  let worst = 0;
  for (const p of inside) {
    const [ex, ey] = inverse(p % S, Math.floor(p / S));
    worst = Math.max(worst, Math.abs(out.data[3 * p] / 2 - ex), Math.abs(out.data[3 * p + 1] / 2 - ey));
  }
  assert.ok(worst < 0.01, `largest position error ${worst} px`);
});

test('warpImage() with a known affine map matches the directly transformed image', () => {
  const img = imageFrom(S, S, pattern);
  const src = landmarks(60, 9);
  const dst = src.map((_, i) => (i % 2 === 0 ? forward(src[i], src[i + 1])[0] : forward(src[i - 1], src[i])[1]));
  const mesh = average.triangulate(dst, { width: S });
  const out = average.warpImage(img, src, mesh);
  // the directly transformed image: the pattern at the inverse-mapped position
  const direct = imageFrom(S, S, (x, y) => pattern(...inverse(x, y)));
  const inside = channels(landmarkPixels(mesh));
  assert.ok(inside.length > 3000);
  // bilinear sampling of a smooth pattern vs the pattern itself: well under 2 levels
  const d = maxDiff(out.data, direct.data, inside);
  assert.ok(d < 2, `max difference ${d}`);
});

test('warpImage() onto the face\'s own shape returns the image', () => {
  const img = imageFrom(S, S, pattern);
  const pts = template68(S);
  const out = average.warpImage(img, pts, average.triangulate(pts, { width: S, ring: 1.3 }));
  assert.ok(maxDiff(out.data, img.data) < 0.01);
  assert.deepEqual(Array.from(average.toRgbImage(out).data.slice(0, 300)), Array.from(img.data.slice(0, 300)));
});

test('warpImage() samples another image size: a half-size face onto a full-size target', () => {
  const big = imageFrom(S, S, pattern);
  // the same pattern at half resolution, sampled at the pixel centres of the big image
  const small = imageFrom(S / 2, S / 2, (x, y) => pattern(2 * x + 0.5, 2 * y + 0.5));
  const pts = template68(S);
  const mesh = average.triangulate(pts, { width: S });
  const half = pts.map((v) => (v + 0.5) / 2 - 0.5);
  const out = average.warpImage(small, half, mesh);
  const inside = channels(insideHull(pts, 2));
  const mean = inside.reduce((s, i) => s + Math.abs(out.data[i] - big.data[i]), 0) / inside.length;
  assert.ok(mean < 3, `mean difference ${mean}`);
});

test('prepareWarp() with an alpha mask only lists the pixels above minAlpha', () => {
  const mesh = average.triangulate(template68(S), { width: S });
  const alpha = new Float32Array(S * S);
  for (let i = 0; i < S * S; i += 3) alpha[i] = 0.5;
  const map = average.prepareWarp(mesh, { alpha });
  assert.equal(map.pixels.length, Math.ceil((S * S) / 3));
  assert.equal(average.prepareWarp(mesh, { alpha, minAlpha: 0.5 }).pixels.length, 0);
  // barycentric weights are in the triangle
  for (let k = 0; k < map.pixels.length; k++) {
    assert.ok(map.l1[k] >= -1e-6 && map.l2[k] >= -1e-6 && map.l1[k] + map.l2[k] <= 1 + 1e-6);
  }
});

test('accumulateWarp() adds into a running sum', () => {
  const img = imageFrom(S, S, pattern);
  const pts = template68(S);
  const mesh = average.triangulate(pts, { width: S });
  const map = average.prepareWarp(mesh);
  const sum = new Float64Array(S * S * 3);
  const ext = average.extendPoints(pts, mesh, S, S);
  average.accumulateWarp(map, img.data, S, S, ext, sum);
  average.accumulateWarp(map, img.data, S, S, ext, sum);
  assert.ok(maxDiff(sum.map((v) => v / 2), img.data) < 0.01);
});

test('frameMesh() rescales a whole image', () => {
  const img = imageFrom(S, S, (x, y) => [x * 2, y * 2, 50]);
  const out = average.warpImage(img, [], average.frameMesh(S / 2, S / 2));
  // output pixel i samples the input at 2 i + 0.5
  assert.ok(Math.abs(out.data[3 * (10 * (S / 2) + 7)] - 2 * (2 * 7 + 0.5)) < 1e-3);
  assert.ok(Math.abs(out.data[3 * (10 * (S / 2) + 7) + 1] - 2 * (2 * 10 + 0.5)) < 1e-3);
});

test('warp functions reject bad input with named parameters', () => {
  const pts = template68(S);
  const mesh = average.triangulate(pts, { width: S });
  const map = average.prepareWarp(mesh);
  const img = imageFrom(S, S, pattern);
  const ext = average.extendPoints(pts, mesh, S, S);
  assert.throws(() => average.prepareWarp(mesh, { alpha: new Float32Array(3) }), /Expected 9216 weights \(96x96\) for alpha but received a Float32Array of length 3/);
  assert.throws(() => average.accumulateWarp(map, img.data, S, S, pts, new Float64Array(S * S * 3)), /Expected 168 coordinates \(as the target mesh\) for sourcePoints but received a Float32Array of length 136/);
  assert.throws(() => average.accumulateWarp(map, img.data.subarray(0, 10), S, S, ext, new Float64Array(S * S * 3)), /Expected 27648 bytes \(96x96 RGB\) for source but received a Uint8Array of length 10/);
  assert.throws(() => average.accumulateWarp(map, img.data, S, S, ext, new Float64Array(5)), /Expected 27648 values \(96x96 RGB\) for sum but received a Float64Array of length 5/);
  assert.throws(() => average.warpImage({ data: [1, 2, 3] } as never, pts, mesh), /Expected an RGB image \{ data: Uint8Array, width, height, channels: 3 \} for image but received a value of type object/);
  assert.throws(() => average.warpImage({ ...img, width: 0 }, pts, mesh), /Expected positive integers for image.width\/height but received '0x96' of type string/);
  assert.throws(() => average.warpImage({ ...img, channels: 4 } as never, pts, mesh), /Expected 3 for image.channels but received 4 of type number/);
  assert.throws(() => average.warpImage({ ...img, height: 95 }, pts, mesh), /Expected 27360 bytes \(96x95x3\) for image.data but received a Uint8Array of length 27648/);
});

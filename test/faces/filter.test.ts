import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces, sources } from 'facetype';

function face(over: Partial<faces.FaceMeasures> = {}): faces.FaceMeasures {
  return {
    index: 0, detector: 'front', score: 0.95, meshScore: 1, box: [10, 10, 100, 100], eyeDistance: 60,
    yaw: 0, pitch: 0, roll: 0, sharpness: 200, blur: 0.3, brightness: 0.5, contrast: 0.2, colorfulness: 40, grayscale: false, eyeBrightness: 0.7,
    inside: 1, outside: 0, transform: [1, 0, 0, 0, 1, 0], crop: 'x_f0.jpg', lm68: [], mesh: '', ...over,
  };
}

function record(id: string, fs: faces.FaceMeasures[], over: Partial<faces.PhotoRecord> = {}): faces.PhotoRecord {
  return { key: id, id, path: `/p/${id}`, status: 'ok', info: {}, notes: [], faces: fs, detected: fs.length, ms: 1, ...over };
}

const item = (id: string, preReject?: string): sources.PhotoItem => ({ id, path: `/p/${id}`, preReject });

test('checkFace() passes a good face and names the first failing threshold with its value', () => {
  const o = faces.validateFilters({});
  assert.equal(faces.checkFace(face(), o), null);
  assert.deepEqual(faces.checkFace(face({ yaw: 31.24 }), o), ['not frontal', 'not frontal (yaw 31.2° beyond ±20°)']);
  assert.deepEqual(faces.checkFace(face({ eyeDistance: 10 }), o), ['face too small', 'face too small (eye distance 10 px < 16)']);
  assert.deepEqual(faces.checkFace(face({ blur: 0.71 }), o), ['blurry', 'blurry (re-blur ratio 0.71 > 0.62)']);
  assert.deepEqual(faces.checkFace(face({ blur: null }), o), ['face too small', 'face too small to measure its sharpness']);
  assert.deepEqual(faces.checkFace(face({ grayscale: true, colorfulness: 1.2 }), o), ['grayscale photo', 'grayscale photo (colourfulness 1.2)']);
  assert.equal(faces.checkFace(face({ grayscale: true }), { ...o, allowGrayscale: true }), null);
  // a toned (sepia) photo: colourful enough, but one tone per lightness
  assert.deepEqual(faces.checkFace(face({ colorfulness: 45, offTone: 0.002 }), o), ['grayscale photo', 'grayscale or toned (sepia) photo (0.2% of pixels off a single tone < 2.8%)']);
  assert.equal(faces.checkFace(face({ offTone: 0.002 }), { ...o, allowGrayscale: true }), null);
  assert.equal(faces.checkFace(face({ offTone: 0.3 }), o), null);
  // records measured before offTone existed are judged by colourfulness alone
  assert.equal(faces.checkFace(face({ offTone: undefined }), o), null);
  assert.deepEqual(faces.checkFace(face({ brightness: 0.05 }), o), ['badly exposed', 'too dark (brightness 0.05 < 0.18)']);
  assert.deepEqual(faces.checkFace(face({ eyeBrightness: 0.12 }), o), ['eyes hidden', 'eyes hidden: sunglasses or deep shadow (eye brightness 0.12 < 0.35)']);
  assert.deepEqual(faces.checkFace(face({ inside: 0.8 }), o), ['face cut by the photo edge', 'face cut by the photo edge (80% inside)']);
});

test('judge() covers pre-rejected, failed, faceless, group and good photos', () => {
  const items = [item('a.jpg', 'no face (dataset face_score -inf)'), item('b.jpg'), item('c.jpg'), item('d.jpg'), item('e.jpg'), item('f.jpg')];
  const recs = new Map<string, faces.PhotoRecord>([
    ['b.jpg', record('b.jpg', [], { status: 'failed', reason: 'empty file (0 bytes)' })],
    ['c.jpg', record('c.jpg', [])],
    ['d.jpg', record('d.jpg', [face(), face({ index: 1, eyeDistance: 50 })])],
    ['e.jpg', record('e.jpg', [face(), face({ index: 1, eyeDistance: 10 })])],
  ]);
  const v = faces.judge(items, recs);
  assert.deepEqual(v.map((x) => [x.item.id, x.step]), [
    ['a.jpg', 'metadata pre-filter'], ['b.jpg', 'unreadable or not an image'], ['c.jpg', 'no face found'],
    ['d.jpg', 'several faces'], ['e.jpg', null],
  ]);
  assert.equal(v[3].reason, 'several faces (2 of similar size)');
  // 'all' takes each face of a group photo as a candidate
  const all = faces.judge([item('d.jpg')], recs, { facesPerPhoto: 'all' });
  assert.deepEqual(all.map((x) => x.step), [null, null]);
});

test('selectBest() keeps the N highest quality faces in order and marks the rest', () => {
  const items = ['p1', 'p2', 'p3'].map((id) => item(id));
  const recs = new Map([
    ['p1', record('p1', [face({ yaw: 15 })])],
    ['p2', record('p2', [face({ yaw: 0 })])],
    ['p3', record('p3', [face({ yaw: 5 })])],
  ]);
  const v = faces.judge(items, recs, { poseReference: 'camera' });
  const kept = faces.selectBest(v, 2);
  assert.deepEqual(kept.map((k) => k.item.id), ['p2', 'p3']);
  assert.equal(v[0].step, 'not among the best N');
  assert.match(v[0].reason as string, /^not among the best 2 \(quality 0\.\d{3}\)$/);
  assert.throws(() => faces.selectBest(v, 0), /Expected integer >= 1 for keep but received 0 of type number/);
});

test('referencePose() is the median head pose of the main faces; checkFace() judges the pose from it', () => {
  const recs = [-12, -10, -9, 3].map((pitch, i) => record(`p${i}`, [face({ pitch, yaw: i })]));
  recs.push(record('failed', [], { status: 'failed' }));
  const ref = faces.referencePose(recs);
  assert.deepEqual(ref, { yaw: 1.5, pitch: -9.5, faces: 4 });
  assert.deepEqual(faces.referencePose(recs, 'camera'), faces.CAMERA_POSE);
  const o = faces.validateFilters({});
  // a face looking 22 deg down from the camera is 12.5 deg from a source whose camera is held above
  assert.deepEqual(faces.checkFace(face({ pitch: -22 }), o), ['not frontal', 'not frontal (pitch -22° beyond ±20°)']);
  assert.equal(faces.checkFace(face({ pitch: -22 }), o, ref), null);
  assert.deepEqual(faces.checkFace(face({ pitch: 11 }), o, ref), ['not frontal', 'not frontal (pitch 11° beyond ±20° from the median -9.5°)']);
  // judge() uses the source's median: the same face passes or fails with the source around it
  const items = recs.map((r) => item(r.id));
  const byId = new Map(recs.map((r) => [r.id, r]));
  assert.equal(faces.judge(items, byId).find((x) => x.item.id === 'p3')?.step, null);
  assert.equal(faces.judge(items, byId, { maxPitch: 10 }).find((x) => x.item.id === 'p3')?.step, 'not frontal');
});

test('validateFilters() checks the blur thresholds and the pose reference', () => {
  assert.throws(() => faces.validateFilters({ crispBlur: 0.7 }), /filters\.crispBlur/);
  assert.throws(() => faces.validateFilters({ poseReference: 'x' as 'camera' }), /filters\.poseReference/);
});

test('qualityScore() prefers frontal, sharp, large faces', () => {
  const base = faces.qualityScore(face());
  assert.ok(faces.qualityScore(face({ yaw: 15 })) < base);
  assert.ok(faces.qualityScore(face({ blur: 0.5 })) < base);
  assert.ok(faces.qualityScore(face({ eyeDistance: 25 })) < base);
  assert.ok(base <= 1 && base > 0.8);
});

test('qualityScore(): more pixels beyond fullSizeEyeDistance (40 px) are not more quality', () => {
  const q = (eyeDistance: number) => faces.qualityScore(face({ eyeDistance }));
  assert.equal(q(80), q(40));
  assert.equal(q(400), q(40));
  assert.ok(q(20) < q(40));
  assert.ok(Math.abs(q(32) - q(16) - 0.15 * 0.5) < 1e-9, 'a doubling of the eye distance below it adds 0.5 x the size weight');
  assert.throws(() => faces.validateFilters({ fullSizeEyeDistance: 10 }), /filters\.fullSizeEyeDistance/);
});

test('funnel() counts removals per step and ends with the kept count', () => {
  const items = ['p1', 'p2', 'p3', 'p4'].map((id) => item(id));
  const recs = new Map([
    ['p1', record('p1', [face({ yaw: 40 })])],
    ['p4', record('p4', [face({ yaw: 2 })])],
    ['p2', record('p2', [face()])],
    ['p3', record('p3', [])],
  ]);
  const v = faces.judge(items, recs);
  faces.selectBest(v, 5);
  const f = faces.funnel(v);
  const get = (s: string) => f.find((r) => r.step === s)!;
  assert.equal(get('not frontal').removed, 1);
  assert.equal(get('no face found').removed, 1);
  assert.equal(get('kept').remaining, 2);
  assert.deepEqual([get('not frontal').cut, get('no face found').cut, get('not among the best N').cut, get('kept').cut], ['unusable', 'input', 'ranking', 'kept']);
});

test('validateFilters() rejects unknown and out-of-range options', () => {
  assert.throws(() => faces.validateFilters({ maxYaw: 120 }), /Expected number in \[0, 90\] for filters.maxYaw but received 120 of type number/);
  assert.throws(() => faces.validateFilters({ maxYew: 10 } as never), /for filters.maxYew/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faces, plots } from 'facetype';

const sample = (kept: boolean, traits: Record<string, string | null>): faces.TraitSample => ({ kept, traits });

test('selectionBias() gives each group\'s share among all and kept candidates, and warns past the shift', () => {
  // 10 candidates, 4 men; the 5 kept faces hold 1 man: 40% -> 20%, -20 points
  const samples = [
    ...[true, false, false, false].map((k) => sample(k, { gender: 'male' })),
    ...[true, true, true, true, false, false].map((k) => sample(k, { gender: 'female' })),
    sample(true, { gender: null }),
  ];
  const t = faces.selectionBias(samples);
  assert.equal(t.candidates, 11);
  assert.equal(t.kept, 6);
  const male = t.rows.find((r) => r.group === 'male')!;
  assert.deepEqual([male.candidates, male.inGroup, male.allPct, male.keptPct, male.shift, male.flagged], [10, 4, 40, 20, -20, true]);
  assert.deepEqual(t.warnings, [
    'gender: female is 60% of candidates but 80% of kept faces (+20 points)',
    'gender: male is 40% of candidates but 20% of kept faces (-20 points)',
  ]);
  assert.deepEqual(faces.selectionBias(samples, { maxShift: 25 }).warnings, []);
  assert.throws(() => faces.selectionBias(samples, { maxShift: -1 }), /maxShift/);
});

test('traitsFromMeta() and traitsFromAttributes() name the groups, unknowns as null', () => {
  assert.deepEqual(faces.traitsFromMeta({ gender: 'female', age: 47 }), { gender: 'female', 'age at photo': '45-59' });
  assert.deepEqual(faces.traitsFromMeta({ gender: null, age: null }), { gender: null, 'age at photo': null });
  assert.deepEqual(faces.traitsFromMeta(undefined), {});
  assert.deepEqual(faces.traitsFromAttributes({ Male: 1, Young: -1 }, ['Male', 'Young', 'Bald']), { Male: 'yes', Young: 'no', Bald: null });
});

test('biasChart() shows the yes groups with the shifts and the warnings as text', () => {
  const t = faces.selectionBias([sample(true, { Male: 'yes' }), sample(false, { Male: 'no' }), sample(false, { Male: 'no' })]);
  const c = plots.biasChart(t);
  assert.deepEqual(c.figure!.data[0].x, ['Male']);
  assert.match(c.bundle['text/plain'] as string, /warning: Male: yes is 33.3% of candidates but 100% of kept faces \(\+66.7 points\)/);
});

test('selectionBias() weights a sample of the rejected candidates so it stands for all of them', () => {
  // 4 kept (1 man), and a sample of 5 of 50 rejected (4 men): each sampled one stands for 10
  const samples = [
    ...[true, false, false, false].map((k, i) => sample(true, { gender: i === 0 ? 'male' : 'female' })),
    ...[0, 1, 2, 3, 4].map((i) => ({ kept: false, weight: 10, traits: { gender: i < 4 ? 'male' : 'female' } })),
  ];
  const t = faces.selectionBias(samples);
  assert.equal(t.candidates, 54);
  assert.equal(t.kept, 4);
  const male = t.rows.find((r) => r.group === 'male')!;
  // all: (1 + 40) / 54 = 75.9%; kept: 1 / 4 = 25%
  assert.deepEqual([male.candidates, male.inGroup, male.allPct, male.keptPct, male.shift, male.flagged], [54, 41, 75.9, 25, -50.9, true]);
  // unweighted, the same samples would claim 5 / 9 men
  const plain = faces.selectionBias(samples.map((s) => ({ kept: s.kept, traits: s.traits })));
  assert.equal(plain.rows.find((r) => r.group === 'male')!.allPct, 55.6);
  assert.throws(() => faces.selectionBias([{ kept: true, weight: 0, traits: { gender: 'male' } }]), /weight/);
});

test('sampleWithWeight() draws a seeded sample of at most n, each standing for N / n', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const s = faces.sampleWithWeight(items, 8, rnd);
  assert.equal(s.sample.length, 8);
  assert.equal(new Set(s.sample).size, 8);
  assert.deepEqual(s.sample, [...s.sample].sort((a, b) => a - b));
  assert.equal(s.weight, 50 / 8);
  assert.deepEqual(faces.sampleWithWeight(items.slice(0, 5), 8, rnd), { sample: [0, 1, 2, 3, 4], weight: 1 });
});

test('traitsFromEstimates() gives gender and the age band', () => {
  assert.deepEqual(faces.traitsFromEstimates(12.9, 0.2), { 'estimated gender': 'female', 'estimated age': 'child (<13)' });
  assert.deepEqual(faces.traitsFromEstimates(19.99, 0.5), { 'estimated gender': 'male', 'estimated age': 'teen (13-19)' });
  assert.equal(faces.traitsFromEstimates(34, 0.9)['estimated age'], 'young adult (20-34)');
  assert.equal(faces.traitsFromEstimates(54.5, 0.9)['estimated age'], 'middle-aged (35-54)');
  assert.equal(faces.traitsFromEstimates(55, 0.9)['estimated age'], 'older (55+)');
  assert.deepEqual(faces.traitsFromEstimates(NaN, NaN), { 'estimated gender': null, 'estimated age': null });
});

test('biasChart() draws no empty chart: without any trait it says so in text', () => {
  const c = plots.biasChart(faces.selectionBias([sample(true, {}), sample(false, {})]));
  assert.equal(c.figure, null);
  assert.equal(c.bundle['application/vnd.plotly.v1+json'], undefined);
  assert.match(c.bundle['text/plain'] as string, /no trait is known/);
  const t = { ...faces.selectionBias([sample(true, { g: 'a' }), sample(false, { g: 'b' })]), note: 'rejected: a random sample of 1 of 9' };
  assert.match(plots.biasChart(t).bundle['text/plain'] as string, /rejected: a random sample of 1 of 9/);
});

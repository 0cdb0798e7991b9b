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
  assert.deepEqual(c.figure.data[0].x, ['Male']);
  assert.match(c.bundle['text/plain'] as string, /warning: Male: yes is 33.3% of candidates but 100% of kept faces \(\+66.7 points\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { features, stages } from 'facetype';

type Trait = features.FaceTrait;

/** face-api attribute rows (age, male, 7 expressions) for faces given as [age, male, happy]. */
function attributes(faces: [number, number, number][]): Float32Array {
  const a = new Float32Array(faces.length * 9);
  faces.forEach(([age, male, happy], i) => {
    a[i * 9] = age;
    a[i * 9 + 1] = male;
    a[i * 9 + 2] = 1 - happy;
    a[i * 9 + 3] = happy;
  });
  return a;
}

function repeat<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

test('faceApiTraits() derives age bands at 13/20/35/55, gender at 0.5 and smiling from happy', () => {
  const t = stages.faceApiTraits(attributes([[5, 0.9, 0.9], [13, 0.1, 0.1], [34.9, 0.6, 0.5], [35, 0.4, 0.2], [55, 0.5, 0]]));
  const byName = Object.fromEntries(t.map((x) => [x.name, x]));
  assert.deepEqual(Array.from(byName.ageBand.values), [0, 1, 2, 3, 4]);
  assert.deepEqual(byName.ageBand.categories, ['child', 'teen', 'young adult', 'middle-aged', 'older']);
  assert.deepEqual(Array.from(byName.gender.values), [1, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(byName.smiling.values), [1, 0, 1, 0, 0]);
  assert.equal(byName.smiling.validated, stages.SMILING_AUC >= 0.85);
});

test('faceApiTraits() on a matrix that is not N x 9 names the count', () => {
  assert.throws(() => stages.faceApiTraits(new Float32Array(10)), /10 values, not a multiple of 9/);
});

test('labelTypes(): a type 98% children is "children", never "young men and women" (issue 9)', () => {
  // type 0: 49 children and one 30-year-old, both genders; type 1: young men; type 2: older women
  const faces: [number, number, number][] = [
    ...repeat(50, (i) => [i === 0 ? 30 : 4, i % 2 ? 0.9 : 0.1, 0.2] as [number, number, number]),
    ...repeat(50, () => [27, 0.95, 0.2] as [number, number, number]),
    ...repeat(50, () => [66, 0.05, 0.2] as [number, number, number]),
  ];
  const labels = [...repeat(50, () => 0), ...repeat(50, () => 1), ...repeat(50, () => 2)];
  const r = stages.labelTypes(labels, stages.faceApiTraits(attributes(faces)));
  assert.equal(r[0].label, 'children');
  assert.doesNotMatch(r[0].label, /young|men/);
  assert.equal(r[0].claims[0].share, 0.98);
  assert.equal(r[1].label, 'young men');
  assert.equal(r[2].label, 'older women');
});

test('labelTypes() names only traits held by >= 80% and clearly more frequent than overall', () => {
  // everyone smiles (not distinctive); type 0 is 70% men (below 80%: no gender word)
  const faces: [number, number, number][] = [
    ...repeat(20, (i) => [60, i < 14 ? 0.9 : 0.1, 0.9] as [number, number, number]),
    ...repeat(20, () => [25, 0.1, 0.9] as [number, number, number]),
  ];
  const labels = [...repeat(20, () => 0), ...repeat(20, () => 1)];
  const r = stages.labelTypes(labels, stages.faceApiTraits(attributes(faces)));
  assert.equal(r[0].label, 'older people');
  assert.equal(r[1].label, 'young women');
  assert.ok(r.every((t) => !/smiling/.test(t.label)));
});

test('labelTypes() names two adjacent age bands by their range when neither alone reaches 80%', () => {
  const faces: [number, number, number][] = [
    ...repeat(20, (i) => [i < 12 ? 45 : 70, 0.9, 0] as [number, number, number]),
    ...repeat(20, () => [25, 0.9, 0] as [number, number, number]),
    ...repeat(20, () => [25, 0.1, 0] as [number, number, number]),
  ];
  const labels = [...repeat(20, () => 0), ...repeat(20, () => 1), ...repeat(20, () => 2)];
  const r = stages.labelTypes(labels, stages.faceApiTraits(attributes(faces)));
  assert.equal(r[0].label, 'men aged 35+');
});

test('labelTypes(): no distinguishing trait gives a true "mixed" label with shares; colliding labels get the differing share', () => {
  const glasses: Trait = {
    name: 'glasses', kind: 'binary', word: 'with glasses', validated: true,
    values: Float32Array.from([...repeat(20, (i) => (i < 12 ? 1 : 0)), ...repeat(20, (i) => (i < 2 ? 1 : 0)), ...repeat(20, () => 0)]),
  };
  const faces: [number, number, number][] = [
    ...repeat(40, () => [25, 0.9, 0] as [number, number, number]),
    ...repeat(20, (i) => [i < 10 ? 25 : 60, i < 10 ? 0.9 : 0.1, 0] as [number, number, number]),
  ];
  const labels = [...repeat(20, () => 0), ...repeat(20, () => 1), ...repeat(20, () => 2)];
  const traits = [...stages.faceApiTraits(attributes(faces)), glasses];
  const r = stages.labelTypes(labels, traits);
  assert.equal(r[0].label, 'young men (60% glasses)');
  assert.equal(r[1].label, 'young men (10% glasses)');
  assert.ok(r[2].mixed);
  assert.match(r[2].label, /^mixed: /);
  assert.equal(new Set(r.map((t) => t.label)).size, 3);
});

test('labelTypes() words measured traits: "with" traits joined, others after a comma; unvalidated traits never named', () => {
  const n = 40;
  const first = (v: number, w: number) => Float32Array.from(repeat(n, (i) => (i < 20 ? v : w)));
  const traits: Trait[] = [
    ...stages.faceApiTraits(attributes(repeat(n, (i) => [i < 20 ? 70 : 25, 0.9, 0] as [number, number, number]))),
    { name: 'hairColour', kind: 'category', categories: ['black', 'brown', 'blond', 'grey'], values: first(3, 0), validated: true },
    { name: 'glasses', kind: 'binary', word: 'with glasses', values: first(1, 0), validated: true },
    { name: 'skinTone', kind: 'category', categories: ['light', 'dark'], ordered: true, values: first(1, 0), validated: true },
    { name: 'hat', kind: 'binary', word: 'with a hat', values: first(1, 0), validated: false, auc: 0.7 },
  ];
  const labels = repeat(n, (i) => (i < 20 ? 0 : 1));
  const r = stages.labelTypes(labels, traits);
  // everyone is a man: gender does not distinguish a type, so no gender word
  assert.equal(r[0].label, 'older people with grey hair and glasses, dark skin tone');
  assert.equal(r[1].label, 'young adults with black hair, light skin tone');
});

test('typeTraitShares() and shareTableRows(): shares per type and overall, as % with one decimal', () => {
  const traits = stages.faceApiTraits(attributes([[25, 0.9, 0], [25, 0.1, 0], [70, 0.9, 0.9]]));
  const s = stages.typeTraitShares([0, 0, 1], traits);
  const men = s.columns.findIndex((c) => c.name === 'men');
  assert.equal(s.share[0][men], 0.5);
  assert.equal(s.share[1][men], 1);
  const rows = stages.shareTableRows(s, ['first', 'second'], new Map([[0, 2], [1, 1]]));
  assert.equal(rows.length, 3);
  assert.equal(rows[0].men, '50.0%');
  assert.equal(rows[2].men, '66.7%');
  assert.equal(rows[2].size, 3);
});

test('labelTypes() with a trait of the wrong length names it', () => {
  const t: Trait = { name: 'glasses', kind: 'binary', values: new Float32Array(2), validated: true };
  assert.throws(() => stages.labelTypes([0, 0, 1], [t]), /trait glasses has 2 values for 3 faces/);
});

test('labelTypes() names a claim only at minShare + margin (85%): 82% men is not "men"', () => {
  const faces: [number, number, number][] = [
    ...repeat(50, (i) => [25, i < 41 ? 0.9 : 0.1, 0] as [number, number, number]),
    ...repeat(50, () => [25, 0.1, 0] as [number, number, number]),
  ];
  const labels = [...repeat(50, () => 0), ...repeat(50, () => 1)];
  const traits = stages.faceApiTraits(attributes(faces));
  const strict = stages.labelTypes(labels, traits)[0];
  assert.deepEqual(strict.claims, []);
  assert.equal(strict.label, 'mixed: 100% young adults, 82% men');
  assert.equal(stages.labelTypes(labels, traits, { margin: 0 })[0].label, 'men');
});

test('checkClaims() maps claims to CelebA labels; middle age has none', () => {
  const faces: [number, number, number][] = [
    ...repeat(10, () => [70, 0.9, 0] as [number, number, number]),
    ...repeat(10, () => [45, 0.1, 0] as [number, number, number]),
    ...repeat(10, () => [25, 0.1, 0.9] as [number, number, number]),
  ];
  const labels = [...repeat(10, () => 0), ...repeat(10, () => 1), ...repeat(10, () => 2)];
  const traits = stages.faceApiTraits(attributes(faces));
  const types = stages.labelTypes(labels, traits);
  assert.deepEqual(types.map((t) => t.label), ['older men', 'middle-aged women', 'young women, smiling']);
  const table = { Male: [...repeat(10, () => 1), ...repeat(20, () => 0)], Young: [...repeat(12, () => 0), ...repeat(18, () => 1)], Smiling: repeat(30, (i) => (i >= 22 ? 1 : 0)) };
  const checks = stages.checkClaims(types, labels, traits, table);
  const byType = (t: number) => checks.filter((c) => c.type === t).map((c) => `${c.expected ? '' : 'not '}${c.attribute} ${c.share} ${c.holds}`);
  assert.deepEqual(byType(0), ['not Young 1 true', 'Male 1 true']);
  assert.deepEqual(byType(1), ['not Male 1 true']);
  assert.deepEqual(byType(2), ['Young 1 true', 'not Male 1 true', 'Smiling 0.8 true']);
});

test('celebaAttributeOf() maps the measured traits to their CelebA labels; skin-tone categories do not mean Pale_Skin, darker ones mean not Pale_Skin', () => {
  const n = 4;
  const traits = stages.typeTraits({ names: repeat(n, (i) => `f${i}`), attributes: attributes(repeat(n, () => [25, 0.9, 0] as [number, number, number])), measures: new Float32Array(n * features.MEASURE_DIM).fill(NaN) });
  const of = (trait: string, values = [1]) => stages.celebaAttributeOf({ trait, values }, traits);
  assert.deepEqual(of('glasses'), { attribute: 'Eyeglasses', expected: 1 });
  assert.deepEqual(of('beard'), { attribute: 'No_Beard', expected: 0 });
  assert.deepEqual(of('moustache'), { attribute: 'Mustache', expected: 1 });
  assert.deepEqual(of('goatee'), { attribute: 'Goatee', expected: 1 });
  assert.deepEqual(of('greyHair'), { attribute: 'Gray_Hair', expected: 1 });
  assert.deepEqual(of('blondHair'), { attribute: 'Blond_Hair', expected: 1 });
  assert.deepEqual(of('bald'), { attribute: 'Bald', expected: 1 });
  assert.deepEqual(of('hat'), { attribute: 'Wearing_Hat', expected: 1 });
  // very light is ITA > 55; CelebA's Pale_Skin starts near 69.5 on the same measure
  assert.equal(of('skinTone', [0]), null);
  // every other category lies below Pale_Skin's threshold: a claim of it is checked as not Pale_Skin
  for (const c of [1, 5]) assert.deepEqual(of('skinTone', [c]), { attribute: 'Pale_Skin', expected: 0 });
  assert.deepEqual(of('skinTone', [3, 4, 5]), { attribute: 'Pale_Skin', expected: 0 });
  assert.equal(of('skinTone', [0, 1]), null);
  assert.equal(of('gender', [1])!.attribute, 'Male');
  // words of the measured traits in a label
  const skin = traits.find((t) => t.name === 'skinTone')!;
  assert.equal(skin.ordered, true);
  assert.equal(stages.valueWords(skin, [4, 5]), 'brown or dark skin tone');
  assert.equal(stages.valueWords(skin, [3, 4, 5]), 'tan or darker skin tone');
  assert.equal(stages.valueWords(skin, [0, 1, 2]), 'intermediate or lighter skin tone');
  const age = traits.find((t) => t.name === 'ageBand')!;
  assert.equal(stages.valueWords(age, [2, 3, 4]), 'people aged 20+');
  assert.equal(stages.valueWords(traits.find((t) => t.name === 'greyHair')!, [1]), 'with grey hair');
  assert.ok(!traits.some((t) => t.name === 'hairColour'), 'the hair colour category is left out (its five binary traits are in)');
});

test('labelTypes() names an open-ended skin-tone run when no single tone or pair reaches 85%', () => {
  // type 0: 30% tan, 30% brown, 30% dark, 10% light; type 1: all very light or light
  const n = 40;
  const ita = [...repeat(20, (i) => [20, -10, -40, 50][i % 10 < 3 ? 0 : i % 10 < 6 ? 1 : i % 10 < 9 ? 2 : 3]), ...repeat(20, (i) => (i % 2 ? 60 : 45))];
  const skin: features.FaceTrait = {
    name: 'skinTone', kind: 'category', ordered: true, categories: ['very light', 'light', 'intermediate', 'tan', 'brown', 'dark'],
    values: Float32Array.from(ita, (v) => features.itaCategory(v)), validated: true,
  };
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 20 ? 0 : 1));
  const out = stages.labelTypes(labels, [skin]);
  assert.equal(out[0].label, 'people, tan or darker skin tone');
  assert.ok(out[0].claims[0].share >= 0.85 && out[0].claims[0].share < 1);
  assert.equal(out[1].label, 'people, very light or light skin tone');
});

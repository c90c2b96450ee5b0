import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/random.js';
import { stratifiedSplit } from '../src/split.js';

// 50, 30 and 7 members, interleaved so that classes are not contiguous.
const labels: number[] = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(7).fill(2)];
const random = seededRandom(99);
for (let i = labels.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [labels[i], labels[j]] = [labels[j] as number, labels[i] as number];
}

describe('stratifiedSplit', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const a = stratifiedSplit(labels, { validationFraction: 0.2, seed: 7 });
    expect(stratifiedSplit(labels, { validationFraction: 0.2, seed: 7 })).toEqual(a);
    expect(stratifiedSplit(labels, { validationFraction: 0.2, seed: 8 }).validation).not.toEqual(
      a.validation,
    );
  });

  it('partitions the indices and keeps each class share', () => {
    const { train, validation } = stratifiedSplit(labels, { validationFraction: 0.2, seed: 1 });
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(new Set(train).size + new Set(validation).size).toBe(labels.length);
    const count = (indices: number[], label: number) => indices.filter((i) => labels[i] === label).length;
    expect([0, 1, 2].map((l) => count(validation, l))).toEqual([10, 6, 1]);
    expect([0, 1, 2].map((l) => count(train, l))).toEqual([40, 24, 6]);
    expect(train).toEqual([...train].sort((a, b) => a - b));
  });

  it("keeps a class's split when another class grows", () => {
    const grown = [...labels, 3, 3, 3, 3, 3];
    const before = stratifiedSplit(labels, { validationFraction: 0.25, seed: 3 }).validation;
    const after = stratifiedSplit(grown, { validationFraction: 0.25, seed: 3 }).validation;
    expect(after.filter((i) => i < labels.length)).toEqual(before);
  });

  it('refuses a fraction outside [0, 1)', () => {
    expect(() => stratifiedSplit(labels, { validationFraction: 1, seed: 1 })).toThrow(RangeError);
    expect(stratifiedSplit(labels, { validationFraction: 0, seed: 1 }).validation).toEqual([]);
  });

  it('draws the same stream for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(new Set(draws).size).toBe(5);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('stratifiedSplit with groups', () => {
  // Groups of near-copies: sizes 1 to 6, labels by group, so a split that breaks a group is visible.
  const groupOf: number[] = [];
  const groupLabels: number[] = [];
  let id = 0;
  for (let label = 0; label < 3; label++) {
    for (let g = 0; g < 12; g++, id++) {
      for (let k = 0; k <= g % 6; k++) {
        groupOf.push(id);
        groupLabels.push(label);
      }
    }
  }

  it('never puts members of one group on both sides', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { train, validation } = stratifiedSplit(groupLabels, { validationFraction: 0.2, seed }, groupOf);
      const trainGroups = new Set(train.map((i) => groupOf[i]));
      expect(validation.filter((i) => trainGroups.has(groupOf[i]))).toEqual([]);
      expect(train.length + validation.length).toBe(groupLabels.length);
    }
  });

  it("keeps each class's share within the size of its largest group", () => {
    const { validation } = stratifiedSplit(groupLabels, { validationFraction: 0.25, seed: 9 }, groupOf);
    for (let label = 0; label < 3; label++) {
      const total = groupLabels.filter((l) => l === label).length;
      const taken = validation.filter((i) => groupLabels[i] === label).length;
      expect(Math.abs(taken - Math.round(total * 0.25))).toBeLessThanOrEqual(3);
    }
  });

  it('assigns a mixed group to the class most of its members have', () => {
    const labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
    const groups = [0, 0, 0, 1, 2, 3, 4, 5, 6, 7];
    // Class 0 has only the mixed group: with it counted as class 1, class 0 has nothing to give validation.
    for (const seed of [1, 2, 3]) {
      const { validation } = stratifiedSplit(labels, { validationFraction: 0.3, seed }, groups);
      const mixed = [0, 1, 2].filter((i) => validation.includes(i));
      expect(mixed.length === 0 || mixed.length === 3).toBe(true);
    }
  });

  it('matches the ungrouped split when every image is its own group', () => {
    const own = labels.map((_, i) => i);
    expect(stratifiedSplit(labels, { validationFraction: 0.2, seed: 5 }, own)).toEqual(
      stratifiedSplit(labels, { validationFraction: 0.2, seed: 5 }),
    );
  });
});

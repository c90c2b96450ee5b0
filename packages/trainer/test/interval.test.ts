import { describe, expect, it } from 'vitest';
import { accuracyInterval } from '../src/metrics/interval.js';

describe('accuracyInterval', () => {
  const correct = Array.from({ length: 400 }, (_, i) => i % 10 !== 0); // 90 % right

  it('brackets the accuracy and narrows with more evidence', () => {
    const wide = accuracyInterval(correct.slice(0, 100));
    const narrow = accuracyInterval(correct);
    for (const { low, high } of [wide, narrow]) {
      expect(low).toBeLessThan(0.9);
      expect(high).toBeGreaterThan(0.9);
    }
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    // Close to the normal approximation for independent images: 1.96 * sqrt(0.9 * 0.1 / 400) = 0.029.
    expect((narrow.high - narrow.low) / 2).toBeGreaterThan(0.022);
    expect((narrow.high - narrow.low) / 2).toBeLessThan(0.036);
  });

  it('is wider when images come in groups of near-copies that share their fate', () => {
    const groupOf = correct.map((_, i) => Math.floor(i / 10));
    // Groups of ten are either all right or all wrong: 40 independent units, not 400.
    const grouped = correct.map((_, i) => Math.floor(i / 10) % 10 !== 0);
    const asImages = accuracyInterval(grouped);
    const asGroups = accuracyInterval(grouped, groupOf);
    expect(asGroups.groups).toBe(40);
    expect(asGroups.high - asGroups.low).toBeGreaterThan(2 * (asImages.high - asImages.low));
  });

  it('is the same for the same seed', () => {
    expect(accuracyInterval(correct, undefined, { seed: 3 })).toEqual(
      accuracyInterval(correct, undefined, { seed: 3 }),
    );
  });
});

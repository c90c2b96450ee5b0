import { describe, expect, it } from 'vitest';
import { normalise, normaliseDelta, normaliseUnit } from '../src/normalise.js';
import { DEFAULT_SPEC } from '../src/spec.js';
import { imageStatistics } from '../src/statistics.js';

describe('normalisation', () => {
  it('maps black, mid-grey and white through (x - mean) / std', () => {
    const spec = { ...DEFAULT_SPEC, mean: 0.5, std: 0.25 };
    expect([0, 0.5, 1].map((x) => normaliseUnit(x, spec))).toEqual([-2, 0, 2]);
    expect(normaliseDelta(0.1, spec)).toBeCloseTo(0.4, 12);
  });

  it('normalises 8-bit pixels exactly as normaliseUnit(x / 255)', () => {
    const spec = { ...DEFAULT_SPEC, mean: 0.1307, std: 0.3081 };
    const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = normalise(pixels, spec);
    pixels.forEach((p, i) => {
      expect(out[i]).toBeCloseTo(normaliseUnit(p / 255, spec), 5);
    });
  });
});

describe('imageStatistics', () => {
  it('gives the mean and population standard deviation of the values', () => {
    expect(imageStatistics([1, 3])).toEqual({ mean: 2, std: 1 });
    const stats = imageStatistics(Float32Array.of(-2, 0, 2, 4));
    expect(stats.mean).toBe(1);
    expect(stats.std).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('is zero spread for a flat image and finite for an empty one', () => {
    expect(imageStatistics(new Float32Array(16).fill(0.75))).toEqual({ mean: 0.75, std: 0 });
    expect(imageStatistics([])).toEqual({ mean: 0, std: 0 });
  });
});

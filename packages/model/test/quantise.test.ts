import { join } from 'node:path';
import { REPO_ROOT } from '@mri/data/paths';
import { describe, expect, it } from 'vitest';
import { int8RoundTrip, loadServingClassifier } from '../src/serving/index.js';
import { sampleImages } from '../src/testing.js';
import { maxAbsDiff } from './fixtures.js';

const SHIPPED_MODEL = join(REPO_ROOT, 'reports', 'model');

describe('int8 weights', () => {
  it('rounds each output channel to 255 levels of its own scale, keeping zeros and each channel’s extreme', () => {
    // [1, 1, 2 inputs, 3 output channels]: channel 0 small, channel 1 large, channel 2 all zero.
    const values = Float32Array.from([0.01, 5, 0, -0.02, 3.3, 0]);
    const { values: rounded, shape } = int8RoundTrip({ values, shape: [1, 1, 2, 3] });
    expect(shape).toEqual([1, 1, 2, 3]);
    expect(rounded[3]).toBeCloseTo(-0.02, 7); // the channel's largest magnitude is exact
    expect(rounded[1]).toBeCloseTo(5, 6);
    expect(Math.abs((rounded[0] as number) - 0.01)).toBeLessThanOrEqual(0.02 / 127 / 2 + 1e-9);
    expect(Math.abs((rounded[4] as number) - 3.3)).toBeLessThanOrEqual(5 / 127 / 2 + 1e-7);
    expect(rounded[4]).not.toBe(values[4]); // 3.3 is not on channel 1's grid of 5/127
    expect([rounded[2], rounded[5]]).toEqual([0, 0]);
  });

  it('the shipped model’s scores on the sample stay within 0.03 of float32 (measured: 0.011), with the same top class', async () => {
    const float32 = await loadServingClassifier(SHIPPED_MODEL);
    const int8 = await loadServingClassifier(SHIPPED_MODEL, { weights: 'int8' });
    const size = float32.metadata.inputSize;
    const sample = await sampleImages('testing', size);
    const expected = await float32.predict(sample.images, sample.count);
    const actual = await int8.predict(sample.images, sample.count);
    const classes = float32.metadata.classNames.length;
    const top = (p: Float32Array, i: number) => {
      const row = Array.from(p.subarray(i * classes, (i + 1) * classes));
      return row.indexOf(Math.max(...row));
    };
    const diff = maxAbsDiff(actual, expected);
    expect(diff).toBeLessThan(0.03);
    expect(diff).toBeGreaterThan(0); // the weights really were rounded
    for (let i = 0; i < sample.count; i++) expect(top(actual, i)).toBe(top(expected, i));
    float32.dispose();
    int8.dispose();
  }, 120_000);
});

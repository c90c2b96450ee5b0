import { DEFAULT_SPEC } from '@mri/data';
import { describe, expect, it } from 'vitest';
import { augmentImage } from '../src/train/augment.js';
import { balancedClassWeights, trainingBatches } from '../src/train/batches.js';
import { permutation, seededRandom } from '../src/train/random.js';
import { learningRateAt } from '../src/train/schedule.js';

const off = { flip: false, rotation_degrees: 0, scale: 0, translate: 0, brightness: 0, contrast: 0 };

describe('learning-rate schedules', () => {
  const oneCycle = { name: 'one_cycle' as const, maxLr: 0.01, totalSteps: 100, warmupFraction: 0.3 };

  it('one-cycle rises from max/25 to max at the end of warm-up, then anneals to about max/25/1e4', () => {
    expect(learningRateAt(oneCycle, 0)).toBeCloseTo(0.01 / 25, 10);
    expect(learningRateAt(oneCycle, 29)).toBeCloseTo(0.01, 10);
    expect(learningRateAt(oneCycle, 99)).toBeCloseTo(0.01 / 25 / 1e4, 10);
    const lrs = Array.from({ length: 100 }, (_, s) => learningRateAt(oneCycle, s));
    for (let s = 1; s <= 29; s++) expect(lrs[s]).toBeGreaterThan(lrs[s - 1] as number);
    for (let s = 30; s < 100; s++) expect(lrs[s]).toBeLessThan(lrs[s - 1] as number);
  });

  it('cosine falls from max to 0; constant stays', () => {
    const cosine = { ...oneCycle, name: 'cosine' as const };
    expect(learningRateAt(cosine, 0)).toBe(0.01);
    expect(learningRateAt(cosine, 99)).toBeCloseTo(0, 12);
    expect(learningRateAt({ ...oneCycle, name: 'constant' }, 57)).toBe(0.01);
  });
});

describe('augmentation', () => {
  const size = 4;
  const ramp = () => Float32Array.from({ length: size * size }, (_, i) => i % size);

  it('flips rows left to right', () => {
    const image = ramp();
    // A generator whose first draw is below 0.5 flips.
    augmentImage(image, new Float32Array(16), size, { ...off, flip: true }, DEFAULT_SPEC, () => 0.1);
    expect(Array.from(image.subarray(0, 4))).toEqual([3, 2, 1, 0]);
  });

  it('shifts brightness in pixel units through the spec and scales contrast about the mean', () => {
    const image = ramp();
    // random() = 1 draws the maximum of each range: +0.1 brightness, contrast x1.2.
    augmentImage(
      image,
      new Float32Array(16),
      size,
      { ...off, brightness: 0.1, contrast: 0.2 },
      DEFAULT_SPEC,
      () => 1,
    );
    const mean = 1.5;
    expect(image[0]).toBeCloseTo((0 - mean) * 1.2 + mean + 0.1 / DEFAULT_SPEC.std, 5);
    expect(image[3]).toBeCloseTo((3 - mean) * 1.2 + mean + 0.1 / DEFAULT_SPEC.std, 5);
  });

  it('rotates about the centre by inverse mapping', () => {
    const image = Float32Array.from([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    // random() = 1 draws the full angle; 90 degrees moves the top-middle pixel (1,0) to the middle-right (2,1).
    augmentImage(image, new Float32Array(9), 3, { ...off, rotation_degrees: 90 }, DEFAULT_SPEC, () => 1);
    expect(image[5]).toBeCloseTo(1, 5);
    expect(image[1]).toBeCloseTo(0, 5);
    expect(image[4]).toBeCloseTo(0, 5);
  });

  it('zooms about the centre and shifts in fractions of the side', () => {
    const dot = (size: number, x: number, y: number) => {
      const image = new Float32Array(size * size);
      image[y * size + x] = 1;
      return image;
    };
    // random() = 1: zoom x1.5 moves a pixel 2 right of the centre (3,3) to 3 right of it.
    const zoomed = dot(7, 5, 3);
    augmentImage(zoomed, new Float32Array(49), 7, { ...off, scale: 0.5 }, DEFAULT_SPEC, () => 1);
    expect(zoomed[3 * 7 + 6]).toBeCloseTo(1, 5);
    expect(zoomed[3 * 7 + 5]).toBeLessThan(1);
    // A shift of 0.2 x 5 px moves the centre pixel one right and one down.
    const shifted = dot(5, 2, 2);
    augmentImage(shifted, new Float32Array(25), 5, { ...off, translate: 0.2 }, DEFAULT_SPEC, () => 1);
    expect(shifted[3 * 5 + 3]).toBeCloseTo(1, 5);
    expect(shifted[2 * 5 + 2]).toBeCloseTo(0, 5);
  });
});

describe('batches and class weights', () => {
  const split = {
    images: Float32Array.from({ length: 10 * 4 }, (_, i) => Math.floor(i / 4)),
    labels: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2, 2]),
    count: 10,
  };
  const options = (seed: number) => ({
    batchSize: 4,
    size: 2,
    augmentation: off,
    spec: DEFAULT_SPEC,
    random: seededRandom(seed),
  });

  it('covers every image once per epoch, in a seeded order, with labels kept beside their images', () => {
    const batches = [...trainingBatches(split, options(1))];
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    const seen = batches.flatMap((b) => Array.from({ length: b.size }, (_, i) => b.images[i * 4] as number));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    batches.forEach((b) => {
      for (let i = 0; i < b.size; i++) expect(b.labels[i]).toBe(split.labels[b.images[i * 4] as number]);
    });
    const again = [...trainingBatches(split, options(1))].flatMap((b) => Array.from(b.images));
    expect(again).toEqual(batches.flatMap((b) => Array.from(b.images)));
    const other = [...trainingBatches(split, options(2))].flatMap((b) => Array.from(b.images));
    expect(other).not.toEqual(again);
  });

  it('weights classes by total / (classes x count)', () => {
    expect(balancedClassWeights(split.labels, 3)).toEqual([10 / 18, 10 / 6, 10 / 6]);
  });

  it('shuffles with a permutation', () => {
    expect([...permutation(50, seededRandom(3))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

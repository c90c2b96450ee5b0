import { seededRandom } from '@mri/data/random';
import { specFor } from '@mri/data/spec';
import type { Batch, EngineOptions } from '../src/contract.js';

export const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'] as const;

/** The product's preprocessing at the 32 px the unit tests train at. */
export const TEST_SPEC = specFor(32);

/**
 * Seeded, learnable synthetic images: each class is a bright blob in its own quadrant, over noise. Stand-ins for
 * the unit tests only; the end-to-end test trains on the real sample images.
 */
export function syntheticBatch(size: number, count: number, seed: number): Batch {
  const random = seededRandom(seed);
  const images = new Float32Array(count * size * size);
  const labels = new Int32Array(count);
  const half = size / 2;
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES.length;
    labels[i] = label;
    const cy = (label < 2 ? 0.5 : 1.5) * half;
    const cx = (label % 2 === 0 ? 0.5 : 1.5) * half;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d2 = ((y - cy) ** 2 + (x - cx) ** 2) / (half * half * 0.15);
        images[(i * size + y) * size + x] = Math.exp(-d2) * 2 - 0.5 + (random() - 0.5) * 0.6;
      }
    }
  }
  return { images, labels, size: count };
}

export function engineOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    architecture: 'simple_cnn',
    inputSize: 32,
    classNames: [...CLASSES],
    optimizer: { name: 'adam', lr: 3e-3, weightDecay: 0, momentum: 0 },
    seed: 7,
    workers: 0,
    backend: 'wasm',
    labelSmoothing: 0,
    ...overrides,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

import { describe, expect, it } from 'vitest';
import { createTrainEngine } from '../src/index.js';
import { engineOptions, maxAbsDiff, syntheticBatch } from './fixtures.js';

async function train(overrides: Parameters<typeof engineOptions>[0], steps: number, size = 32, count = 16) {
  const engine = await createTrainEngine(engineOptions({ inputSize: size, ...overrides }));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push((await engine.trainStep(syntheticBatch(size, count, step))).loss);
  }
  const probe = syntheticBatch(size, 4, 999);
  const probabilities = await engine.predict(probe.images, probe.size);
  await engine.dispose();
  return { losses, probabilities };
}

describe('training on the calling thread', () => {
  it('lowers the loss of the compact network on wasm', async () => {
    const { losses, probabilities } = await train({ architecture: 'compact', labelSmoothing: 0.05 }, 12);
    const first = (losses[0] as number) + (losses[1] as number);
    const last = (losses.at(-1) as number) + (losses.at(-2) as number);
    expect(last).toBeLessThan(first * 0.6);
    for (let row = 0; row < 4; row++) {
      const sum = Array.from(probabilities.subarray(row * 4, row * 4 + 4)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('replays exactly: same seed, same losses', async () => {
    const a = await train({ optimizer: { name: 'sgd', lr: 0.05, weightDecay: 1e-4, momentum: 0.9 } }, 3);
    const b = await train({ optimizer: { name: 'sgd', lr: 0.05, weightDecay: 1e-4, momentum: 0.9 } }, 3);
    expect(a.losses).toEqual(b.losses);
    expect(maxAbsDiff(a.probabilities, b.probabilities)).toBe(0);
  });

  // Tolerance: the two backends sum in different orders (XNNPACK vs plain loops), so float32 rounding differs by
  // ~1e-6 relative per op; the Winograd filter gradient of 3x3 stride-1 layers (@mri/kernels) differs by up to
  // ~2e-5 of the largest |dW|, and Adam scales small gradients up to full steps: after 3 steps the losses agree to
  // 2e-3 and the probabilities to 2e-3 (measured with Winograd 5.9e-4 and 1.02e-3; without, both under 1e-4 and
  // 1e-3).
  it('agrees between wasm and cpu after 3 steps from the same seed', async () => {
    const options = {
      inputSize: 24,
      optimizer: { name: 'adamw', lr: 1e-3, weightDecay: 1e-2, momentum: 0 },
    } as const;
    const wasm = await train({ ...options, backend: 'wasm' }, 3, 24, 4);
    const cpu = await train({ ...options, backend: 'cpu' }, 3, 24, 4);
    expect(maxAbsDiff(wasm.losses, cpu.losses)).toBeLessThan(2e-3);
    expect(maxAbsDiff(wasm.probabilities, cpu.probabilities)).toBeLessThan(2e-3);
  }, 120_000);

  it('weights classes and rejects malformed batches', async () => {
    const engine = await createTrainEngine(engineOptions({ classWeights: [1, 2, 1, 0.5] }));
    const batch = syntheticBatch(32, 4, 1);
    expect((await engine.trainStep(batch)).loss).toBeGreaterThan(0);
    await expect(engine.trainStep({ ...batch, size: 5 })).rejects.toThrow(/A batch of 5 needs/);
    await expect(engine.trainStep({ ...batch, labels: Int32Array.from([0, 1, 9, 2]) })).rejects.toThrow(
      /Label 9/,
    );
    const { values, width } = await engine.embed(batch.images, 4);
    expect(width).toBe(128);
    expect(values).toHaveLength(4 * 128);
    await engine.dispose();
  });

  it('rejects options that cannot work', async () => {
    await expect(createTrainEngine(engineOptions({ classWeights: [1, 2] }))).rejects.toThrow(/one per class/);
    await expect(createTrainEngine(engineOptions({ labelSmoothing: 1 }))).rejects.toThrow(/labelSmoothing/);
    await expect(createTrainEngine(engineOptions({ workers: -1 }))).rejects.toThrow(/workers/);
  });
});

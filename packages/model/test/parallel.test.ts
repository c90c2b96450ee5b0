import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BackendName, createTrainEngine, type EngineOptions, loadClassifier } from '../src/index.js';
import { shardBounds } from '../src/parallel/shards.js';
import { engineOptions, maxAbsDiff, syntheticBatch, TEST_SPEC } from './fixtures.js';

async function run(overrides: Partial<EngineOptions>, steps: number, batchSize = 16) {
  const engine = await createTrainEngine(engineOptions(overrides));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++)
    losses.push((await engine.trainStep(syntheticBatch(32, batchSize, step))).loss);
  const probe = syntheticBatch(32, 5, 99);
  const probabilities = await engine.predict(probe.images, probe.size);
  return { engine, losses, probabilities };
}

describe('data-parallel training', () => {
  it('fails with one sentence when the workers cannot start the requested backend', async () => {
    const started = createTrainEngine(engineOptions({ backend: 'webgpu' as BackendName, workers: 1 }));
    await expect(started).rejects.toThrow(/The webgpu backend is not available here/);
  });

  it('builds the width it is given, in worker threads and on the calling thread', async () => {
    for (const workers of [0, 1]) {
      const engine = await createTrainEngine(engineOptions({ architecture: 'compact', width: 4, workers }));
      const probe = syntheticBatch(32, 2, 1);
      // compact's embedding has 8 x its first block's channels.
      expect((await engine.embed(probe.images, probe.size)).width).toBe(32);
      await engine.dispose();
    }
  });

  it('cuts batches into near-equal contiguous shards', () => {
    expect(shardBounds(10, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(shardBounds(1, 2)).toEqual([
      [0, 0],
      [0, 1],
    ]);
  });

  // Without dropout or BatchNorm, two workers compute the same mathematical step as one; only the float32 summation
  // order of the gradients differs: ~1e-7 relative in a direct sum, up to ~2e-5 of a layer's largest |dW| where the
  // Winograd filter gradient sums each shard's tiles (@mri/kernels). SGD with momentum carries that through
  // linearly: after 4 steps losses and probabilities agree to 1e-5 (measured 1.5e-7 and 1.0e-7). (Adam would not: it turns a
  // gradient entry smaller than that rounding into a full step of either sign, which says nothing about sharding;
  // the optimizer runs the same on both sides after the exchange, and the Adam runs below are bit-identical.)
  it('agrees with single-thread training (simple_cnn, no dropout, 2 and 3 workers)', async () => {
    const settings = {
      dropout: 0,
      classWeights: [1, 1.5, 1, 0.5],
      labelSmoothing: 0.1,
      optimizer: { name: 'sgd', lr: 0.05, weightDecay: 0, momentum: 0.9 },
    } as const;
    const single = await run({ ...settings, workers: 0 }, 4);
    expect(Math.abs((single.losses[3] as number) - (single.losses[0] as number))).toBeGreaterThan(1e-2);
    // Three workers too: each sums a third of the parameters (the counts do not divide), over three slots.
    for (const workers of [2, 3]) {
      const parallel = await run({ ...settings, workers }, 4);
      expect(parallel.engine.backend).toBe('wasm');
      // The steps must move the model, or agreeing would prove nothing.
      expect(maxAbsDiff(single.losses, parallel.losses)).toBeLessThan(1e-4);
      expect(maxAbsDiff(single.probabilities, parallel.probabilities)).toBeLessThan(1e-3);
      await parallel.engine.dispose();
    }
    await single.engine.dispose();
  });

  it('is deterministic for a seed and worker count, trains BatchNorm models, and saves', async () => {
    const settings = {
      architecture: 'compact',
      workers: 2,
      optimizer: { name: 'adamw', lr: 3e-3, weightDecay: 1e-4, momentum: 0 },
    } as const;
    const a = await run(settings, 8);
    const b = await run(settings, 8);
    expect(a.losses).toEqual(b.losses);
    expect(Array.from(a.probabilities)).toEqual(Array.from(b.probabilities));
    expect((a.losses[6] as number) + (a.losses[7] as number)).toBeLessThan(
      (a.losses[0] as number) + (a.losses[1] as number),
    );

    a.engine.setLearningRate(1e-4);
    expect((await a.engine.trainStep(syntheticBatch(32, 1, 5))).loss).toBeGreaterThan(0);
    const embedded = await a.engine.embed(syntheticBatch(32, 3, 1).images, 3);
    expect(embedded.width).toBe(128);
    expect(embedded.values).toHaveLength(3 * 128);

    const dir = mkdtempSync(join(tmpdir(), 'parallel-save-'));
    await a.engine.save(join(dir, 'model'), { preprocessing: TEST_SPEC, configHash: 'p', metrics: {} });
    const classifier = await loadClassifier(join(dir, 'model'), { backend: 'wasm' });
    const probe = syntheticBatch(32, 5, 99);
    expect(Array.from(await classifier.predict(probe.images, 5))).toEqual(
      Array.from(await a.engine.predict(probe.images, 5)),
    );
    classifier.dispose();
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([a.engine.dispose(), b.engine.dispose()]);
    await expect(a.engine.trainStep(syntheticBatch(32, 2, 1))).rejects.toThrow(/disposed/);
  });
});

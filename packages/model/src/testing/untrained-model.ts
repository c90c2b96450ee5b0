/**
 * An untrained artifact of any zoo network at any size, saved by this package's engine: for speed benchmarks, where
 * the weights do not matter (the reference's benchmarks run freshly initialised networks too), so both sides run the
 * computation a trained model would.
 */
import { specFor } from '@mri/data';
import type { ArchitectureName } from '../contract.js';
import { createTrainEngine } from '../engine.js';

export async function untrainedModel(
  dir: string,
  architecture: ArchitectureName,
  size: number,
): Promise<string> {
  const engine = await createTrainEngine({
    architecture,
    inputSize: size,
    classNames: ['glioma', 'meningioma', 'notumor', 'pituitary'],
    optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0, momentum: 0 },
    seed: 7,
    workers: 0,
    backend: 'wasm',
    labelSmoothing: 0,
  });
  await engine.save(dir, {
    preprocessing: specFor(size),
    configHash: `bench-${architecture}-${size}`,
    metrics: {},
  });
  await engine.dispose();
  return dir;
}

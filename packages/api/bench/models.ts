/**
 * Untrained artifacts for the benchmark, saved by the model package's own engine. Speed does not depend on the
 * weights, and the reference serves freshly initialised networks too, so both sides run the computation a trained
 * model would.
 */
import { specFor } from '@mri/data';
import { type ArchitectureName, createTrainEngine } from '@mri/model';

export async function buildBenchModel(
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

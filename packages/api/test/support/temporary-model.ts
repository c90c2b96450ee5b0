/**
 * An untrained artifact of a given architecture, saved by the model package's own engine, with a training reference
 * computed from the sample's training images. Real forward passes, initial weights: what the benchmark needs (speed
 * does not depend on weights) and, until the trainer's sample-model fixture lands, what the tests serve.
 * TODO(lead): tests switch to tests/support/sample-model.ts ensureSampleModel() once the trainer branch lands.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PreprocessingSpec, preprocess, specFor } from '@mri/data';
import { type ArchitectureName, createTrainEngine, type TrainingReference } from '@mri/model';
import { SAMPLE_ROOT } from './sample.js';

const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

export async function buildTemporaryModel(
  dir: string,
  size = 64,
  architecture: ArchitectureName = 'simple_cnn',
): Promise<string> {
  const engine = await createTrainEngine({
    architecture,
    inputSize: size,
    classNames: CLASSES,
    optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0, momentum: 0 },
    seed: 7,
    workers: 0,
    backend: 'wasm',
    labelSmoothing: 0,
  });
  const preprocessing = specFor(size);
  await engine.save(dir, {
    preprocessing,
    configHash: `untrained-${architecture}-${size}`,
    metrics: {},
    trainingReference: await referenceOf(preprocessing),
  });
  await engine.dispose();
  return dir;
}

async function referenceOf(spec: PreprocessingSpec): Promise<TrainingReference> {
  const classCounts: Record<string, number> = {};
  const means: number[] = [];
  const stds: number[] = [];
  for (const name of CLASSES) {
    const files = await readdir(join(SAMPLE_ROOT, 'Training', name));
    classCounts[name] = files.length;
    for (const file of files) {
      const pixels = await preprocess(await readFile(join(SAMPLE_ROOT, 'Training', name, file)), spec);
      const values = Array.from(pixels);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      means.push(mean);
      stds.push(Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length));
    }
  }
  return { classCounts, features: { mean: histogram(means), std: histogram(stds) } };
}

function histogram(values: number[], bins = 10): { edges: number[]; proportions: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = Array.from({ length: bins + 1 }, (_, i) => {
    const at = Math.min(sorted.length - 1, Math.floor((i / bins) * (sorted.length - 1)));
    return sorted[at] as number;
  });
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    let bin = 0;
    while (bin < bins - 1 && value >= (edges[bin + 1] as number)) bin++;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, proportions: counts.map((count) => count / values.length) };
}

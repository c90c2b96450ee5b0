/**
 * A real model for other packages' tests (the API's): the compact network trained by this package's engine on the
 * embedded sample's real images, through the data package's one preprocessing function, saved as an artifact with
 * its training reference. Small and quick (64 px, four epochs): accurate enough that predictions mean something, not
 * a quality figure. Cached by content (sample, data and model sources), so it is trained once per change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverDataset, preprocess, SAMPLE_ROOT, specFor } from '@mri/data';
import { REPO_ROOT } from '@mri/data/paths';
import { seededRandom } from '@mri/data/random';
import { trainingReference } from '../artifact/reference.js';
import type { Batch, EngineOptions } from '../contract.js';
import { createTrainEngine } from '../engine.js';
import { cachedBuild } from './cached-build.js';

export { cachedBuild } from './cached-build.js';

const SIZE = 64;
const EPOCHS = 4;
const BATCH = 32;

export interface SampleImages {
  readonly classNames: readonly string[];
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** One split of the embedded sample, each image through `preprocess` at `size` px. */
export async function sampleImages(split: 'training' | 'testing', size: number): Promise<SampleImages> {
  const dataset = discoverDataset(SAMPLE_ROOT);
  const spec = specFor(size);
  const files = dataset[split];
  const images = new Float32Array(files.length * size * size);
  for (const [i, file] of files.entries()) {
    images.set(await preprocess(readFileSync(join(dataset.root, file.path)), spec), i * size * size);
  }
  const labels = Int32Array.from(files, (file) => file.label);
  return { classNames: dataset.classNames, images, labels, count: files.length };
}

/** The sample's images in seeded shuffled batches: one epoch's worth. */
export function shuffledBatches(data: SampleImages, size: number, batchSize: number, seed: number): Batch[] {
  const order = Array.from(data.labels, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const pixels = size * size;
  const out: Batch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const ids = order.slice(start, start + batchSize);
    const images = new Float32Array(ids.length * pixels);
    ids.forEach((id, k) => {
      images.set(data.images.subarray(id * pixels, (id + 1) * pixels), k * pixels);
    });
    out.push({ images, labels: Int32Array.from(ids, (id) => data.labels[id] as number), size: ids.length });
  }
  return out;
}

/** The folder of the sample model's artifact, training it first when the cache has none for this content. */
export function ensureSampleModel(): Promise<string> {
  const engineSettings = (classNames: readonly string[]): EngineOptions => ({
    architecture: 'compact',
    inputSize: SIZE,
    classNames,
    optimizer: { name: 'adamw', lr: 3e-3, weightDecay: 1e-4, momentum: 0 },
    seed: 1,
    workers: 0,
    backend: 'wasm',
    labelSmoothing: 0.05,
  });
  return cachedBuild({
    cacheDir: join(REPO_ROOT, '.cache', 'sample-model-engine'),
    name: 'model',
    root: REPO_ROOT,
    inputs: ['sample/brain-mri', 'packages/data/src', 'packages/model/src', 'packages/kernels/src'].map(
      (dir) => join(REPO_ROOT, dir),
    ),
    salt: JSON.stringify({ SIZE, EPOCHS, BATCH, engine: engineSettings([]) }),
    build: async (into) => {
      const train = await sampleImages('training', SIZE);
      const engine = await createTrainEngine(engineSettings(train.classNames));
      try {
        for (let epoch = 0; epoch < EPOCHS; epoch++) {
          for (const batch of shuffledBatches(train, SIZE, BATCH, epoch)) await engine.trainStep(batch);
        }
        await engine.save(into, {
          preprocessing: specFor(SIZE),
          configHash: 'sample-model',
          metrics: {},
          trainingReference: trainingReference(train, train.classNames, SIZE),
        });
      } finally {
        await engine.dispose();
      }
    },
  });
}

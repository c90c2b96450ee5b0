import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocess, SAMPLE_ROOT, specFor } from '@mri/data';
import { seededRandom } from '@mri/data/random';
import { describe, expect, it } from 'vitest';
import { type Batch, createTrainEngine } from '../src/index.js';
import { CLASSES } from './fixtures.js';

const SIZE = 64;

/** The embedded sample's Training split, through the data package's one preprocessing function. */
async function loadSplit(
  split: 'Training' | 'Testing',
): Promise<{ images: Float32Array; labels: Int32Array }> {
  const spec = specFor(SIZE);
  const rows: { pixels: Float32Array; label: number }[] = [];
  for (const [label, name] of CLASSES.entries()) {
    const dir = join(SAMPLE_ROOT, split, name);
    for (const file of readdirSync(dir).sort()) {
      rows.push({ pixels: await preprocess(readFileSync(join(dir, file)), spec), label });
    }
  }
  const images = new Float32Array(rows.length * SIZE * SIZE);
  rows.forEach((row, i) => {
    images.set(row.pixels, i * SIZE * SIZE);
  });
  return { images, labels: Int32Array.from(rows, (row) => row.label) };
}

function batches(data: { images: Float32Array; labels: Int32Array }, size: number, seed: number): Batch[] {
  const order = data.labels.map((_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const pixels = SIZE * SIZE;
  const out: Batch[] = [];
  for (let start = 0; start < order.length; start += size) {
    const ids = order.slice(start, start + size);
    const images = new Float32Array(ids.length * pixels);
    ids.forEach((id, k) => {
      images.set(data.images.subarray(id * pixels, (id + 1) * pixels), k * pixels);
    });
    out.push({ images, labels: ids.map((id) => data.labels[id] as number), size: ids.length });
  }
  return out;
}

describe('training on the real sample images', () => {
  it('lowers the loss of the default compact network over three epochs with two workers', async () => {
    const train = await loadSplit('Training');
    expect(train.labels).toHaveLength(160);
    const engine = await createTrainEngine({
      architecture: 'compact',
      inputSize: SIZE,
      classNames: [...CLASSES],
      optimizer: { name: 'adamw', lr: 3e-3, weightDecay: 1e-4, momentum: 0 },
      seed: 1,
      workers: 2,
      backend: 'wasm',
      labelSmoothing: 0.05,
    });
    const epochLoss: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      const epochBatches = batches(train, 32, epoch);
      for (const batch of epochBatches) sum += (await engine.trainStep(batch)).loss;
      epochLoss.push(sum / epochBatches.length);
    }
    await engine.dispose();
    expect(epochLoss[2] as number).toBeLessThan((epochLoss[0] as number) * 0.85);
  });
});

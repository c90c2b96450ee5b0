import { describe, expect, it } from 'vitest';
import { createTrainEngine } from '../src/index.js';
import { sampleImages, shuffledBatches } from '../src/testing.js';

const SIZE = 64;

describe('training on the real sample images', () => {
  it('lowers the loss of the default compact network over three epochs with two workers', async () => {
    // The embedded sample's Training split, through the data package's one preprocessing function.
    const train = await sampleImages('training', SIZE);
    expect(train.labels).toHaveLength(160);
    const engine = await createTrainEngine({
      architecture: 'compact',
      inputSize: SIZE,
      classNames: train.classNames,
      optimizer: { name: 'adamw', lr: 3e-3, weightDecay: 1e-4, momentum: 0 },
      seed: 1,
      workers: 2,
      backend: 'wasm',
      labelSmoothing: 0.05,
    });
    const epochLoss: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      const epochBatches = shuffledBatches(train, SIZE, 32, epoch);
      for (const batch of epochBatches) sum += (await engine.trainStep(batch)).loss;
      epochLoss.push(sum / epochBatches.length);
    }
    await engine.dispose();
    expect(epochLoss[2] as number).toBeLessThan((epochLoss[0] as number) * 0.85);
  });
});

describe('the sample model for other packages tests', () => {
  it('is a loadable artifact with a training reference, and is built once per content', async () => {
    const { ensureSampleModel } = await import('../src/testing.js');
    const { loadServingClassifier } = await import('../src/serving/index.js');
    const dir = await ensureSampleModel();
    expect(await ensureSampleModel()).toBe(dir);
    const classifier = await loadServingClassifier(dir);
    expect(classifier.metadata).toMatchObject({ architecture: 'compact', inputSize: SIZE });
    expect(Object.values(classifier.metadata.trainingReference?.classCounts ?? {})).toEqual([40, 40, 40, 40]);
    const test = await sampleImages('testing', SIZE);
    const probabilities = await classifier.predict(test.images, test.count);
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      const row = Array.from(probabilities.subarray(i * 4, i * 4 + 4));
      if (row.indexOf(Math.max(...row)) === test.labels[i]) correct += 1;
    }
    // Four classes: chance is 25 %; the sample model must have learned something for the API's tests to mean much.
    expect(correct / test.count).toBeGreaterThan(0.4);
    classifier.dispose();
  }, 300_000);
});

/**
 * A training state exported after some steps and imported into a fresh engine continues bit for bit as the
 * original does: the weights, the moving statistics, the optimizer's moments and step count, the dropout seeds.
 */
import { describe, expect, it } from 'vitest';
import { createTrainEngine, type EngineOptions, type TrainEngine } from '../src/index.js';
import { engineOptions, syntheticBatch } from './fixtures.js';

async function steps(engine: TrainEngine, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let step = from; step < to; step++) {
    engine.setLearningRate(0.002);
    losses.push((await engine.trainStep(syntheticBatch(32, 8, step))).loss);
  }
  return losses;
}

async function probabilities(engine: TrainEngine): Promise<Float32Array> {
  const probe = syntheticBatch(32, 5, 99);
  return engine.predict(probe.images, probe.size);
}

describe.each([
  ['one thread', 0],
  ['two workers', 2],
])('train state (%s)', (_name, workers) => {
  // compact has BatchNorm and dropout, adamw has two moments and bias correction: every part of the state matters.
  const options: Partial<EngineOptions> = {
    architecture: 'compact',
    workers,
    optimizer: { name: 'adamw', lr: 0.002, weightDecay: 0.01, momentum: 0 },
  };

  it('continues in a new engine exactly as the original engine does', async () => {
    const original = await createTrainEngine(engineOptions(options));
    await steps(original, 0, 3);
    const state = await original.exportState();
    expect(state.steps).toBe(3);
    expect(state.optimizerSteps).toBe(3);
    const expected = await steps(original, 3, 6);
    const expectedProbabilities = await probabilities(original);
    await original.dispose();

    const resumed = await createTrainEngine(engineOptions(options));
    await resumed.importState(state);
    expect(await steps(resumed, 3, 6)).toEqual(expected);
    expect(await probabilities(resumed)).toEqual(expectedProbabilities);
    await resumed.dispose();
  });

  it('refuses a state of another network', async () => {
    const engine = await createTrainEngine(engineOptions(options));
    const state = await engine.exportState();
    await expect(engine.importState({ ...state, weights: state.weights.slice(1) })).rejects.toThrow(
      /weights/,
    );
    await engine.dispose();
  });
});

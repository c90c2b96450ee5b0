/**
 * Seeded weight initialisation, done in JS rather than by tfjs initialisers so that the same seed gives bit-identical
 * weights on cpu and wasm, in any thread.
 */

import { seededRandom } from '@mri/data/random';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mixSeed } from './random.js';

function uniform(count: number, limit: number, random: () => number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * limit;
  return values;
}

/** He-uniform for kernels feeding a ReLU, Glorot-uniform for the classifier head, BN at identity, biases zero. */
function initialValues(name: string, shape: number[], random: () => number): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (name.endsWith('/kernel')) {
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = receptive * (shape.at(-2) ?? 1);
    const fanOut = receptive * (shape.at(-1) ?? 1);
    const isHead = shape.length === 2;
    const limit = isHead ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
    return uniform(count, limit, random);
  }
  if (name.endsWith('/gamma') || name.endsWith('/moving_variance')) return new Float32Array(count).fill(1);
  return new Float32Array(count);
}

export function initialiseWeights(model: tfl.LayersModel, seed: number): void {
  const weights = model.weights.map((weight, index) => {
    const values = initialValues(
      weight.originalName,
      weight.shape as number[],
      seededRandom(mixSeed(seed, index)),
    );
    return tf.tensor(values, weight.shape as number[]);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReluGrad } from '../src/relu-grad.js';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

describe('ReLU gradient in one pass on wasm', () => {
  beforeAll(readyBackends);

  // 4-lane blocks and a scalar tail (3 left over); exact zeros in x get no gradient, as in tfjs (step(0) = 0).
  const shape = [3, 5, 7, 9];
  const size = shape.reduce((a, b) => a * b, 1);
  const xs = randomArray(size, 1).map((x, i) => (i % 11 === 0 ? 0 : x));
  const rs = randomArray(size, 2);
  const grad = () => [
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor(rs, shape))))(tf.tensor(xs, shape)),
  ];

  it('matches the cpu backend exactly, through our kernel', async () => {
    const expected = await runOn('cpu', grad);
    const actual = await runOn('wasm', grad);
    expect(scaledMaxError(actual[0] as Float32Array, expected[0] as Float32Array)).toBe(0);
    const profile = await tf.profile(() => grad()[0] as tf.Tensor);
    expect(profile.kernelNames).toContain(ReluGrad);
    expect(profile.kernelNames).not.toContain('Step');
  });
});

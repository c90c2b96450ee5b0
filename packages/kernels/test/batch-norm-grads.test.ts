import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Same formulas as tfjs, only broadcast instead of tiled and summed by average pooling: per-element
 * results agree to a few float32 ulps, sums over <= 2,000 terms to ~sqrt(n) * 2^-24 of their largest
 * partial sum (< 1e-5). 1e-4 still fails on any wrong axis, sign or factor (errors of order 1).
 */
const TOLERANCE = 1e-4;

function expectClose(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(scaledMaxError(a, expected[i] as Float32Array)).toBeLessThan(TOLERANCE);
  });
}

/** Batch norm in training as tfjs-layers runs it: moments of the batch, then FusedBatchNorm. */
function trainingBatchNorm(shape: number[]): () => tf.Tensor[] {
  const channels = shape.at(-1) as number;
  const xs = randomArray(tf.util.sizeFromShape(shape), 31).map((v) => 3 * v + 1);
  const gs = randomArray(channels, 32).map((v) => v + 1.5);
  const bs = randomArray(channels, 33);
  const rs = randomArray(tf.util.sizeFromShape(shape), 34);
  const axes = shape.slice(0, -1).map((_, i) => i);
  return () => {
    const [x, gamma, beta, r] = [
      tf.tensor(xs, shape),
      tf.tensor1d(gs),
      tf.tensor1d(bs),
      tf.tensor(rs, shape),
    ];
    const loss = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(input, axes);
      return tf.sum(tf.mul(tf.batchNorm(input, mean, variance, b, g, 1e-3), r));
    };
    return tf.grads(loss)([x, gamma, beta]);
  };
}

/** The FusedBatchNorm gradient alone, with mean and variance as independent inputs. */
function batchNormAlone(shape: number[]): () => tf.Tensor[] {
  const channels = shape.at(-1) as number;
  const vectors = [41, 42, 43, 44].map((seed) => randomArray(channels, seed));
  const xs = randomArray(tf.util.sizeFromShape(shape), 45);
  const rs = randomArray(tf.util.sizeFromShape(shape), 46);
  return () => {
    const [m, v, g, b] = vectors.map((values, i) =>
      tf.tensor1d(i === 1 ? values.map((a) => a + 1.5) : values),
    );
    const loss = (...inputs: tf.Tensor[]) => {
      const [x, mean, variance, scale, offset] = inputs as tf.Tensor[];
      const y = tf.batchNorm(x as tf.Tensor, mean as tf.Tensor, variance as tf.Tensor, offset, scale);
      return tf.sum(tf.mul(y, tf.tensor(rs, shape)));
    };
    return tf.grads(loss)([
      tf.tensor(xs, shape),
      m as tf.Tensor,
      v as tf.Tensor,
      g as tf.Tensor,
      b as tf.Tensor,
    ]);
  };
}

function meanGrad(shape: number[], axis: number[], keepDims: boolean): () => tf.Tensor[] {
  const xs = randomArray(tf.util.sizeFromShape(shape), 51);
  return () => {
    const x = tf.tensor(xs, shape);
    const outShape = tf.mean(x, axis, keepDims).shape;
    const r = tf.tensor(randomArray(tf.util.sizeFromShape(outShape), 52), outShape);
    return [tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.mean(input, axis, keepDims), r)))(x)];
  };
}

describe('batch-norm gradients on wasm match the cpu backend', () => {
  beforeAll(readyBackends);

  // Without a scale tfjs 4.22 cannot differentiate batchNorm on any backend (it saves the missing input
  // for the backward pass and fails in the forward pass), so every case has one.
  for (const shape of [
    [4, 6, 6, 8],
    [1, 5, 7, 3],
    [16, 10],
  ]) {
    it(`moments + batchNorm of ${shape.join('x')}: x, scale and offset`, async () => {
      expectClose(
        await runOn('wasm', trainingBatchNorm(shape)),
        await runOn('cpu', trainingBatchNorm(shape)),
      );
    });
  }

  for (const shape of [
    [2, 5, 5, 6],
    [8, 3],
  ]) {
    it(`FusedBatchNorm alone: x, mean, variance, scale, offset of ${shape.join('x')}`, async () => {
      expectClose(await runOn('wasm', batchNormAlone(shape)), await runOn('cpu', batchNormAlone(shape)));
    });
  }

  for (const [shape, axis, keepDims] of [
    [[4, 5, 5, 6], [0, 1, 2], true],
    [[3, 7, 7, 5], [1, 2], false],
    [[6, 10], [0], false],
    [[2, 5, 6, 3], [0, 2], false],
    [[2, 5, 6, 3], [3], true],
  ] as [number[], number[], boolean][]) {
    it(`Mean over [${axis}] of ${shape.join('x')} keepDims ${keepDims}`, async () => {
      expectClose(
        await runOn('wasm', meanGrad(shape, axis, keepDims)),
        await runOn('cpu', meanGrad(shape, axis, keepDims)),
      );
    });
  }
});

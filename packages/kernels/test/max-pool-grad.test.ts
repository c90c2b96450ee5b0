import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, readyBackends, runOn } from '../src/testing.js';

interface PoolCase {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: PoolCase[] = [
  { x: [1, 8, 8, 1], size: 2, stride: 2, pad: 'valid' },
  { x: [3, 9, 9, 5], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 8, 10, 8], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 7, 7, 4], size: 2, stride: 2, pad: 'same' },
  { x: [2, 10, 10, 4], size: 3, stride: 2, pad: 'same' },
  { x: [2, 11, 11, 3], size: 3, stride: 2, pad: 'same' },
  { x: [1, 7, 7, 8], size: 3, stride: 2, pad: 'valid' },
  { x: [2, 6, 6, 2], size: 3, stride: 1, pad: 'same' },
];

/**
 * dX of sum(maxPool(x) * r). Inputs are rounded to a few levels and passed through relu, so windows hold
 * ties (as post-relu zeros do in a real network): the gradient must go to the same element the cpu kernel
 * picks, the first maximum in row-major order. Routing is exact (one float add per overlapping window), so
 * the results must agree to float32 rounding of those adds.
 */
function poolGrad(c: PoolCase): () => tf.Tensor[] {
  const xs = randomArray(tf.util.sizeFromShape(c.x), 11).map((v) => Math.round(v * 2));
  return () => {
    const x = tf.relu(tf.tensor4d(xs, c.x));
    const outShape = tf.maxPool(x, c.size, c.stride, c.pad).shape;
    const r = tf.tensor(randomArray(tf.util.sizeFromShape(outShape), 12), outShape);
    return [
      tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.size, c.stride, c.pad), r)),
      )(x),
    ];
  };
}

describe('MaxPoolGrad on wasm matches the cpu backend, ties included', () => {
  beforeAll(readyBackends);

  it('skips -Infinity and NaN the way the cpu kernel does (a window of only those gets no gradient)', async () => {
    const values = [-Infinity, -Infinity, NaN, -Infinity, 1, NaN, 2, 2, NaN, 3, -Infinity, -Infinity];
    // 5 channels: the SIMD kernel takes 4 in lanes and the 5th in its scalar tail; channel k is shifted.
    const channels = 5;
    const spread = values.flatMap((v) => Array.from({ length: channels }, (_, k) => (k === 4 ? -v : v + k)));
    for (const pool of [2, 3]) {
      const shape: [number, number, number, number] = pool === 2 ? [1, 2, 6, channels] : [1, 3, 4, channels];
      const compute = () => [
        tf.grad((x: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, pool, pool === 2 ? 2 : 1, 'valid'), 5)),
        )(tf.tensor4d(spread, shape)),
      ];
      const [expected] = await runOn('cpu', compute);
      const [actual] = await runOn('wasm', compute);
      expect(Array.from(actual as Float32Array)).toEqual(Array.from(expected as Float32Array));
    }
  });

  for (const c of cases) {
    it(`x ${c.x.join('x')} pool ${c.size} stride ${c.stride} '${c.pad}'`, async () => {
      const [expected] = await runOn('cpu', poolGrad(c));
      const [actual] = await runOn('wasm', poolGrad(c));
      expect(Array.from(actual as Float32Array)).toEqual(
        Array.from(expected as Float32Array).map((v) => expect.closeTo(v, 5)),
      );
    });
  }
});

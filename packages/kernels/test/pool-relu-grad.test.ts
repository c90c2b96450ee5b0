import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { convBiasReluInTraining, currentWasmKernels, maxPoolOfConvBiasRelu } from '../src/index.js';
import type { SimdKernels } from '../src/simd.js';
import { randomArray, readyBackends, runOn } from '../src/testing.js';

/**
 * The 2x2 max-pool after a conv + bias + ReLU, trained as one op whose gradient also does the convolution's ReLU
 * mask and bias sum (maxPoolOfConvBiasRelu), against the same layers unfused (tf.maxPool and its MaxPoolGrad,
 * then the convolution's own ReLU pass): every gradient must be equal bit for bit, since the fused pass makes
 * the same comparisons and sums in the same order.
 */
interface Case {
  readonly name: string;
  readonly shape: [number, number, number, number];
  readonly outChannels: number;
  /** y also feeds a second consumer, so its gradient is not the pool's alone. */
  readonly twoConsumers?: boolean;
}

const cases: Case[] = [
  // 2 x 17 x 17 = 578 output pixels: the bias sums cross two 256-row blocks; 15 x 15 outputs leave a row and a
  // column no window covers.
  {
    name: 'odd output, 8 channels (SIMD lanes), sums over several blocks',
    shape: [2, 17, 17, 3],
    outChannels: 8,
  },
  { name: 'even output, 6 channels (a scalar tail of 2)', shape: [3, 10, 10, 4], outChannels: 6 },
  { name: 'y with a second consumer', shape: [2, 12, 12, 2], outChannels: 8, twoConsumers: true },
];

function gradients(c: Case, fused: boolean): tf.Tensor[] {
  const kernels = currentWasmKernels() as SimdKernels;
  const [n, h, w, ci] = c.shape;
  const co = c.outChannels;
  // Negative biases drive many outputs to exactly 0, so whole windows tie at 0 (the ReLU mask decides there).
  const x = tf.tensor4d(randomArray(n * h * w * ci, 11), c.shape);
  const filter = tf.tensor4d(randomArray(9 * ci * co, 12), [3, 3, ci, co]);
  const bias = tf.tensor1d(randomArray(co, 13).map((v) => v - 0.5));
  const pooledShape = [n, (h - 2) >> 1, (w - 2) >> 1, co];
  const weights = tf.tensor(
    randomArray(
      pooledShape.reduce((a, b) => a * b, 1),
      14,
    ),
    pooledShape,
  );
  const other = tf.tensor(randomArray(n * (h - 2) * (w - 2) * co, 15), [n, h - 2, w - 2, co]);
  const loss = (xs: tf.Tensor4D, ws: tf.Tensor4D, bs: tf.Tensor1D) => {
    const y = convBiasReluInTraining(kernels, xs, ws, bs, { strides: [1, 1], pad: 'valid' }, false);
    const pooled = fused ? maxPoolOfConvBiasRelu(kernels, y) : tf.maxPool(y, 2, 2, 'valid');
    const total = tf.sum(tf.mul(pooled, weights));
    return c.twoConsumers ? tf.add(total, tf.sum(tf.mul(y, other))) : total;
  };
  return tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor)([x, filter, bias]);
}

describe('max-pool of conv + bias + ReLU, trained as one op', () => {
  beforeAll(readyBackends);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const c of cases) {
    it(`gives the unfused gradients bit for bit: ${c.name}`, async () => {
      const expected = await runOn('wasm', () => gradients(c, false));
      const kernels = currentWasmKernels() as SimdKernels;
      const reluPass = vi.spyOn(kernels, 'reluGradWithBiasSum');
      const fusedPass = vi.spyOn(kernels, 'poolReluGradWithBiasSum');
      const actual = await runOn('wasm', () => gradients(c, true));
      for (const [i, values] of actual.entries()) expect(values).toEqual(expected[i]);
      expect(fusedPass).toHaveBeenCalledTimes(1);
      // The convolution's own ReLU pass runs only when dy is more than the pool's gradient.
      expect(reluPass).toHaveBeenCalledTimes(c.twoConsumers ? 1 : 0);
      const profile = await tf.profile(() => gradients(c, true));
      expect(profile.kernelNames).not.toContain(tf.MaxPoolGrad);
      tf.dispose(profile.result as tf.Tensor[]);
    });
  }

  it('keeps no tensor after a step', async () => {
    const c = cases[0] as Case;
    const step = () => tf.dispose(tf.tidy(() => gradients(c, true)));
    step();
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes only an output of the conv + bias + ReLU op', () => {
    const kernels = currentWasmKernels() as SimdKernels;
    expect(() => maxPoolOfConvBiasRelu(kernels, tf.zeros([1, 4, 4, 8]))).toThrow(/convBiasReluInTraining/);
  });
});

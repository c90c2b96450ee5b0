import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Every layer kind of the model zoo in one small network, built with tfjs-layers as the zoo is: a 7x7/2
 * stem without bias, batch norm, relu, 3x3/2 'same' max-pool, a residual block with a 1x1/2 projection,
 * a 3x3 'valid' conv with bias and relu, 2x2 max-pool, global average pool, dropout, dense, softmax
 * cross-entropy. Gradients of all weights must match the cpu backend.
 */
function network(): tfl.LayersModel {
  const conv = (
    filters: number,
    kernelSize: number,
    strides: number,
    padding: 'same' | 'valid',
    useBias = false,
  ) =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding, useBias, kernelInitializer: 'glorotUniform' });
  const input = tfl.input({ shape: [20, 20, 1] });
  let x = conv(8, 7, 2, 'same').apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  let branch = conv(12, 3, 2, 'same').apply(x) as tfl.SymbolicTensor;
  branch = tfl.layers.batchNormalization().apply(branch) as tfl.SymbolicTensor;
  branch = tfl.layers.reLU().apply(branch) as tfl.SymbolicTensor;
  branch = conv(12, 3, 1, 'same').apply(branch) as tfl.SymbolicTensor;
  const shortcut = conv(12, 1, 2, 'same').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.add().apply([branch, shortcut]) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 16, kernelSize: 3, padding: 'valid', activation: 'relu', useBias: true })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.5, seed: 1 }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: 4 }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}

/**
 * Sums of up to ~10^4 float32 products in a different order per backend, chained through a dozen layers
 * (batch norm divides by a batch standard deviation, which amplifies relative error): 1e-3 of the largest
 * gradient element leaves room for that and still fails on any wrong kernel (errors of order 1).
 */
const TOLERANCE = 1e-3;

describe('a network with every zoo layer kind', () => {
  beforeAll(readyBackends);

  it('has the same weight gradients on wasm as on cpu', async () => {
    const xs = randomArray(6 * 20 * 20, 61);
    const labels = [0, 1, 2, 3, 1, 2];
    let weights: Float32Array[] | undefined;
    const compute = () => {
      const model = network();
      if (weights) {
        model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights?.[i] as Float32Array, w.shape)));
      } else {
        weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      }
      const x = tf.tensor4d(xs, [6, 20, 20, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
      // training: true, so batch norm uses batch statistics; dropout's seeded mask is drawn in JS, the same
      // on both backends.
      const { grads } = tf.variableGrads(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
      return model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name] as tf.Tensor);
    };
    const expected = await runOn('cpu', compute);
    const actual = await runOn('wasm', compute);
    expect(actual.length).toBe(expected.length);
    expect(actual.length).toBeGreaterThan(10);
    actual.forEach((a, i) => {
      expect(scaledMaxError(a, expected[i] as Float32Array)).toBeLessThan(TOLERANCE);
    });
  });
});

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, wasmTrainingKernels } from '../src/index.js';
import { simdKernels } from '../src/simd.js';
import { readyBackends } from '../src/testing.js';

describe('registerWasmTrainingKernels', () => {
  beforeAll(readyBackends);

  it('installs every kernel on wasm only, and calling it again changes nothing', () => {
    const gradients = [tf.FusedBatchNorm, tf.Mean].map((name) => tf.getGradient(name));
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    for (const config of wasmTrainingKernels) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
      expect(tf.getKernel(config.kernelName, 'cpu')?.kernelFunc).not.toBe(config.kernelFunc);
    }
    expect([tf.FusedBatchNorm, tf.Mean].map((name) => tf.getGradient(name))).toEqual(gradients);
  });

  it('fills the kernel tfjs 4.22 lacks on wasm', () => {
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it('leaks no tensors through a conv, pool, batch-norm backward pass', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const grads = tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 9, 3]);
      const w = tf.randomNormal([3, 3, 3, 4]);
      const loss = (input: tf.Tensor, filter: tf.Tensor) => {
        const y = tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same');
        const { mean, variance } = tf.moments(y, [0, 1, 2]);
        const normed = tf.batchNorm(y, mean, variance, tf.zeros([4]), tf.ones([4]));
        return tf.sum(tf.maxPool(tf.relu(normed) as tf.Tensor4D, 2, 2, 'valid'));
      };
      return tf.grads(loss)([x, w]);
    });
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('zero-copy Identity and Cast on wasm', () => {
  beforeAll(readyBackends);

  it('clone shares the buffer yet survives disposing the original', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3]);
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3]);
    expect(Array.from(await same.data())).toEqual([1, 2, 3]);
    tf.dispose([copy, same]);
  });

  it('casts between dtypes with the builtin kernel', async () => {
    await tf.setBackend('wasm');
    const ints = tf.cast(tf.tensor([1.7, -2.2, 3]), 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, -2, 3]);
    ints.dispose();
  });
});

describe('the SIMD WebAssembly kernel', () => {
  beforeAll(readyBackends);

  it('instantiates on the wasm backend heap, so 2x2 pool gradients take it rather than the JS loop', async () => {
    await tf.setBackend('wasm');
    const kernels = simdKernels(tf.backend() as BackendWasm);
    expect(typeof kernels?.maxPoolGrad2x2).toBe('function');
  });
});

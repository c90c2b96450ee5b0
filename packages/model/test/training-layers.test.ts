import { randomArray, readyBackends, runOn, scaledMaxError } from '@mri/kernels/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalTrainer } from '../src/training/local-trainer.js';
import { batchNormalization, conv2d, maxPooling2d } from '../src/zoo/training-layers.js';

/**
 * The zoo's layers against tfjs-layers' stock ones on the cpu backend. Batch-norm sums over up to ~1,000 rows
 * differ only in float32 summation order (~sqrt(n) * 2^-24 of the largest term); 1e-4 of the largest value
 * still fails on any wrong axis, sign or factor of the closed-form gradient.
 */
const TOLERANCE = 1e-4;

interface Case {
  shape: [number, number, number, number];
  label: string;
}

const cases: Case[] = [
  { shape: [2, 5, 5, 6], label: '6 channels (a SIMD group and a scalar tail)' },
  { shape: [3, 7, 6, 16], label: '16 channels' },
  { shape: [1, 4, 4, 8], label: 'batch 1' },
];

/** One training call of a batch-norm layer: its output, the gradients of sum(y * r) and the moving statistics after it. */
function batchNormStep(shape: number[], make: () => tfl.layers.Layer): () => tf.Tensor[] {
  const channels = shape.at(-1) as number;
  // Far from zero mean and unit variance, so that the moments matter.
  const xs = randomArray(tf.util.sizeFromShape(shape), 41).map((v) => 3 * v + 2);
  const rs = randomArray(tf.util.sizeFromShape(shape), 42);
  const gammas = randomArray(channels, 43).map((v) => v + 1.5);
  const betas = randomArray(channels, 44);
  return () => {
    const layer = make();
    layer.build(shape);
    layer.setWeights([tf.tensor1d(gammas), tf.tensor1d(betas), tf.zeros([channels]), tf.ones([channels])]);
    const x = tf.variable(tf.tensor(xs, shape));
    const r = tf.tensor(rs, shape);
    const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
    let y: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, r));
    }, variables);
    return [
      y as tf.Tensor,
      ...variables.map((v) => grads[v.name] as tf.Tensor),
      ...layer.nonTrainableWeights.map((w) => w.read()),
    ];
  };
}

describe('the zoo batch normalisation in training', () => {
  beforeAll(readyBackends);

  for (const c of cases) {
    it(`matches tfjs-layers' own on cpu: output, gradients and moving statistics (${c.label})`, async () => {
      const args = { momentum: 0.9, epsilon: 1e-5 };
      const expected = await runOn(
        'cpu',
        batchNormStep(c.shape, () => tfl.layers.batchNormalization(args)),
      );
      const actual = await runOn(
        'wasm',
        batchNormStep(c.shape, () => batchNormalization(args)),
      );
      expect(actual.length).toBe(expected.length);
      actual.forEach((a, i) => {
        expect(scaledMaxError(a, expected[i] as Float32Array), `output ${i}`).toBeLessThan(TOLERANCE);
      });
    });
  }

  it('is saved as a stock BatchNormalization and a stock Conv2D', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const y = batchNormalization({}).apply(
      conv2d({ filters: 2, kernelSize: 3 }).apply(input),
    ) as tfl.SymbolicTensor;
    const json = tfl.model({ inputs: input, outputs: y }).toJSON(undefined, false) as {
      config: { layers: { class_name: string }[] };
    };
    expect(json.config.layers.map((l) => l.class_name)).toEqual([
      'InputLayer',
      'Conv2D',
      'BatchNormalization',
    ]);
  });
});

describe('the zoo Conv2D in training', () => {
  beforeAll(readyBackends);

  /** Two convolutions on an image: weight gradients, and which kernels ran. */
  async function twoLayerGrads(
    make: typeof conv2d,
    firstWithBiasRelu: boolean,
  ): Promise<{ grads: Float32Array[]; inputGradKernels: number; fusedKernels: number }> {
    await tf.setBackend('wasm');
    const input = tfl.input({ shape: [10, 10, 1] });
    const first = make({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      useBias: firstWithBiasRelu,
      ...(firstWithBiasRelu ? { activation: 'relu' as const } : {}),
    });
    const second = make({ filters: 3, kernelSize: 3, activation: 'relu' });
    const model = tfl.model({
      inputs: input,
      outputs: second.apply(first.apply(input)) as tfl.SymbolicTensor,
    });
    model.setWeights([
      tf.tensor(randomArray(36, 51), [3, 3, 1, 4]),
      ...(firstWithBiasRelu ? [tf.tensor1d(randomArray(4, 55))] : []),
      tf.tensor(randomArray(108, 52), [3, 3, 4, 3]),
      tf.tensor1d(randomArray(3, 53)),
    ]);
    const x = tf.tensor(randomArray(2 * 100, 54), [2, 10, 10, 1]);
    const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let result: tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        trainable,
      );
      result = trainable.map((v) => tf.keep(grads[v.name] as tf.Tensor));
    });
    const grads = await Promise.all(result.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(result);
    model.dispose();
    const count = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    return { grads, inputGradKernels: count('Conv2DBackpropInput'), fusedKernels: count('FusedConv2D') };
  }

  it('skips the image gradient of the first layer and gives the stock layers’ weight gradients', async () => {
    const stock = await twoLayerGrads((args) => tfl.layers.conv2d(args), false);
    const ours = await twoLayerGrads(conv2d, false);
    // The stock fused convolution's custom gradient computes dX for both layers, the image included.
    expect(stock.inputGradKernels).toBe(2);
    expect(ours.inputGradKernels).toBe(1);
    ours.grads.forEach((g, i) => {
      expect(scaledMaxError(g, stock.grads[i] as Float32Array)).toBeLessThan(TOLERANCE);
    });
  });

  it('runs bias and ReLU layers as fused convolutions, with the stock layers’ gradients', async () => {
    const stock = await twoLayerGrads((args) => tfl.layers.conv2d(args), true);
    const ours = await twoLayerGrads(conv2d, true);
    // tfjs unfuses a ReLU convolution under a gradient; ours keeps XNNPACK's fused one and still skips the image.
    expect(stock.fusedKernels).toBe(0);
    expect(ours.fusedKernels).toBe(2);
    expect(ours.inputGradKernels).toBe(1);
    expect(ours.grads).toHaveLength(4);
    ours.grads.forEach((g, i) => {
      expect(scaledMaxError(g, stock.grads[i] as Float32Array)).toBeLessThan(TOLERANCE);
    });
  });
});

describe('the zoo MaxPooling2D in training', () => {
  beforeAll(readyBackends);

  /** Three Adam steps of the simple CNN (27 px convolution outputs: odd, so rows and columns no window covers). */
  async function simpleCnnSteps(
    fuse: boolean,
  ): Promise<{ weights: readonly Float32Array[]; poolGrads: number }> {
    await tf.setBackend('wasm');
    const saved = process.env.MRI_FUSE_POOL_GRAD;
    process.env.MRI_FUSE_POOL_GRAD = fuse ? '1' : '0';
    try {
      const trainer = new LocalTrainer({
        architecture: 'simple_cnn',
        inputSize: 29,
        numClasses: 4,
        labelSmoothing: 0.1,
        optimizer: { name: 'adam', lr: 1e-2, weightDecay: 0, momentum: 0 },
        seed: 3,
        dropout: 0,
      });
      const batch = {
        images: randomArray(5 * 29 * 29, 71),
        labels: Int32Array.from([0, 1, 2, 3, 1]),
        size: 5,
      };
      trainer.step(batch, 0);
      const profile = await tf.profile(() => {
        trainer.step(batch, 1);
      });
      trainer.step(batch, 2);
      const weights = trainer.exportState(3).weights;
      trainer.dispose();
      return { weights, poolGrads: profile.kernels.filter((k) => k.name === tf.MaxPoolGrad).length };
    } finally {
      if (saved === undefined) delete process.env.MRI_FUSE_POOL_GRAD;
      else process.env.MRI_FUSE_POOL_GRAD = saved;
    }
  }

  it('trains the simple CNN bit for bit as the unfused pool and ReLU gradients do', async () => {
    const unfused = await simpleCnnSteps(false);
    const fused = await simpleCnnSteps(true);
    expect(unfused.poolGrads).toBe(3);
    expect(fused.poolGrads).toBe(0);
    expect(fused.weights).toHaveLength(unfused.weights.length);
    fused.weights.forEach((w, i) => {
      expect(w).toEqual(unfused.weights[i]);
    });
  });

  it('is saved as a stock MaxPooling2D', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const y = maxPooling2d({ poolSize: 2 }).apply(
      conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }).apply(input),
    ) as tfl.SymbolicTensor;
    const json = tfl.model({ inputs: input, outputs: y }).toJSON(undefined, false) as {
      config: { layers: { class_name: string }[] };
    };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Conv2D', 'MaxPooling2D']);
  });
});

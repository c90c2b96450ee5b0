/**
 * The zoo's Conv2D and BatchNormalization: tfjs-layers' own classes, saved under their own class names (an
 * artifact loads in any tfjs as the stock layers), with a faster training step.
 *
 * - Conv2D with bias and ReLU trains as one op on wasm (@mri/kernels: conv-bias-relu.ts): the fused convolution kernel
 *   forward, one pass of ours for the ReLU and bias gradients, and no gradient for an image input.
 * - Any other Conv2D trains through the plain `conv2d` op instead of tfjs' fused one. Under a gradient the fused op's
 *   custom gradient computes the input gradient even for the first layer, whose input is the image (a slow 1-channel
 *   transposed convolution nobody needs; its cost is in the README); the plain op's gradient is pruned.
 * - MaxPooling2D 2x2/2 'valid' right after such a convolution trains as one op of ours whose gradient also does the
 *   convolution's ReLU mask and bias sum (conv-bias-relu.ts, maxPoolOfConvBiasRelu): one pass instead of a pool
 *   gradient and a ReLU pass over its full-size output. Bit for bit the unfused step.
 * - BatchNormalization trains through our one-op batch norm on wasm (@mri/kernels: batch-norm-training.ts), with the
 *   moving averages updated exactly as tfjs-layers does; on other backends, and in inference, it is the stock layer.
 */

import {
  batchMoments,
  batchNormInTraining,
  convBiasReluInTraining,
  currentWasmKernels,
  isConvBiasReluOutput,
  maxPoolOfConvBiasRelu,
} from '@mri/kernels';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type ConvArgs = Parameters<typeof tfl.layers.conv2d>[0];
type BatchNormArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
type PoolArgs = Parameters<typeof tfl.layers.maxPooling2d>[0];
type CallKwargs = { training?: boolean };
type LayerClass<A> = new (args: A) => tfl.layers.Layer;

interface ConvFields {
  kernel: { read(): tf.Tensor4D };
  bias: { read(): tf.Tensor1D } | null;
  strides: [number, number];
  padding: string;
  dilationRate: [number, number];
  dataFormat: string;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  inboundNodes: { inboundLayers: { getClassName(): string }[] }[];
}

interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): tf.Tensor1D };
  beta: { read(): tf.Tensor1D };
  movingMean: { read(): tf.Tensor1D; write(value: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor1D; write(value: tf.Tensor): void };
}

// tfjs-layers exports factories, not the classes; an instance's constructor is the class.
const StockConv2D = tfl.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as LayerClass<ConvArgs>;
const StockBatchNorm = tfl.layers.batchNormalization({}).constructor as LayerClass<BatchNormArgs>;
const StockMaxPool = tfl.layers.maxPooling2d({}).constructor as LayerClass<PoolArgs>;

interface PoolFields {
  poolSize: [number, number];
  strides: [number, number];
  padding: string;
  dataFormat: string;
}

const single = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;

class TrainingConv2D extends StockConv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as ConvFields;
    if (!kwargs.training || self.dataFormat !== 'channelsLast') return super.call(inputs, kwargs);
    const plain = self.dilationRate.every((d) => d === 1);
    const kernels =
      self.bias && plain && self.activation.getClassName() === 'relu' ? currentWasmKernels() : null;
    if (kernels && self.bias) {
      const fromImage = self.inboundNodes.every((node) =>
        node.inboundLayers.every((layer) => layer.getClassName() === 'InputLayer'),
      );
      const settings = {
        strides: self.strides,
        pad: self.padding === 'same' ? ('same' as const) : ('valid' as const),
      };
      const x = single(inputs) as tf.Tensor4D;
      return convBiasReluInTraining(kernels, x, self.kernel.read(), self.bias.read(), settings, fromImage);
    }
    return tf.tidy(() => {
      const pad = self.padding === 'same' ? 'same' : 'valid';
      let y: tf.Tensor = tf.conv2d(
        single(inputs) as tf.Tensor4D,
        self.kernel.read(),
        self.strides,
        pad,
        'NHWC',
        self.dilationRate,
      );
      if (self.bias) y = tf.add(y, self.bias.read());
      return self.activation.apply(y);
    });
  }
}

class TrainingBatchNormalization extends StockBatchNorm {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormFields;
    const input = single(inputs);
    const lastAxis = self.axis === -1 || self.axis === input.rank - 1;
    const kernels = kwargs.training && lastAxis && self.center && self.scale ? currentWasmKernels() : null;
    if (kernels === null) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const moments = batchMoments(kernels, input);
      const y = batchNormInTraining(
        kernels,
        input,
        self.gamma.read(),
        self.beta.read(),
        moments,
        self.epsilon,
      );
      // tfjs-layers' update, op for op: moving -= (moving - batch) * (1 - momentum).
      const decay = 1 - self.momentum;
      for (const [variable, batch] of [
        [self.movingMean, moments.mean],
        [self.movingVariance, moments.variance],
      ] as const) {
        const current = variable.read();
        variable.write(tf.sub(current, tf.mul(tf.sub(current, tf.tensor1d(batch)), decay)));
      }
      return y;
    });
  }
}

const isPair = (pair: [number, number], value: number) => pair[0] === value && pair[1] === value;

/** MRI_FUSE_POOL_GRAD=0 keeps the pool's and the convolution's gradients apart (to compare the two). */
const fusePoolGradients = () => process.env.MRI_FUSE_POOL_GRAD !== '0';

class TrainingMaxPooling2D extends StockMaxPool {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as PoolFields;
    const input = single(inputs);
    const fusable =
      kwargs.training &&
      fusePoolGradients() &&
      isPair(self.poolSize, 2) &&
      isPair(self.strides, 2) &&
      self.padding === 'valid' &&
      self.dataFormat === 'channelsLast' &&
      input.rank === 4 &&
      isConvBiasReluOutput(input);
    const kernels = fusable ? currentWasmKernels() : null;
    if (kernels === null) return super.call(inputs, kwargs);
    return maxPoolOfConvBiasRelu(kernels, input as tf.Tensor4D);
  }
}

export function conv2d(args: ConvArgs): tfl.layers.Layer {
  return new TrainingConv2D(args);
}

export function batchNormalization(args: BatchNormArgs): tfl.layers.Layer {
  return new TrainingBatchNormalization(args);
}

export function maxPooling2d(args: PoolArgs): tfl.layers.Layer {
  return new TrainingMaxPooling2D(args);
}

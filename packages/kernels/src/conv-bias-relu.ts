/**
 * relu(conv2d(x, W) + b) in training as one differentiable op on wasm. tfjs refuses its fused convolution under a
 * gradient when the activation is not linear, so a layer with bias and ReLU trains as conv, add and relu, and
 * backpropagates through step, multiply and sum: five passes over the activations that the fused convolution
 * kernel (ours on wasm, conv2d-forward.ts) and one pass of ours (wasm/relu-grad.ts) replace. `imageInput` leaves x out of the differentiated
 * inputs, so no gradient is computed for the image.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type SimdKernels } from './simd.js';

/**
 * The outputs of convBiasReluInTraining, by data id (a tensor passed between layers keeps it), each with what a
 * 2x2 max-pool's gradient below it left for the op's own gradient: dz (by data id) and the bias gradient.
 */
const reluOutputs = new WeakMap<object, { pooled?: { dz: object; dBias: tf.Tensor1D } }>();

/** Whether `y` is an output of convBiasReluInTraining, so maxPoolOfConvBiasRelu may take it. */
export function isConvBiasReluOutput(y: tf.Tensor): boolean {
  return reluOutputs.has(y.dataId);
}

export interface ConvSettings {
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
}

/** dz = dy where y > 0, else 0; and the bias gradient, the per-channel sum of dz. */
function reluGradWithBiasSum(
  kernels: SimdKernels,
  dy: tf.Tensor,
  y: tf.Tensor,
): { dz: tf.Tensor; dBias: tf.Tensor1D } {
  const backend = tf.backend() as BackendWasm;
  const channels = y.shape[y.rank - 1] as number;
  const dz = backend.makeOutput(y.shape, 'float32');
  const scratch = backend.makeOutput([3 * channels], 'float32');
  const dBias = backend.makeOutput([channels], 'float32');
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  kernels.reluGradWithBiasSum(
    { dy: at(dy), y: at(y), dz: at(dz), scratch: at(scratch), biasGrad: at(dBias) },
    { rows: y.size / channels, channels },
  );
  backend.disposeData(scratch.dataId);
  const engine = tf.engine();
  return {
    dz: engine.makeTensorFromTensorInfo(dz),
    dBias: engine.makeTensorFromTensorInfo(dBias) as tf.Tensor1D,
  };
}

export function convBiasReluInTraining(
  kernels: SimdKernels,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  conv: ConvSettings,
  imageInput: boolean,
): tf.Tensor4D {
  const attrs = { strides: conv.strides, pad: conv.pad, dataFormat: 'NHWC' as const };
  // The differentiated inputs: an image gets no gradient, so it is not one of them (the op reads it all the same).
  const differentiated = imageInput ? [filter, bias] : [x, filter, bias];
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args.at(-1) as tf.GradSaveFunc;
    const [w, b] = args.slice(-3, -1) as [tf.Tensor4D, tf.Tensor1D];
    const input = imageInput ? x : (args[0] as tf.Tensor4D);
    const y = tf
      .engine()
      .runKernel(
        tf.FusedConv2D,
        { x: input, filter: w, bias: b },
        { ...attrs, dilations: [1, 1], activation: 'relu' },
      ) as tf.Tensor4D;
    // Saved, not closed over: the engine keeps saved tensors alive until the backward pass, and only those.
    save([input, w, y]);
    reluOutputs.set(y.dataId, {});
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs, ws, ys] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      // When the pool's gradient is all of dy, it already is dz, and the pool summed the bias gradient.
      const record = reluOutputs.get(ys.dataId);
      const pooled = record?.pooled;
      if (record) record.pooled = undefined;
      const { dz, dBias } =
        pooled && (dy as tf.Tensor).dataId === pooled.dz
          ? { dz: dy as tf.Tensor, dBias: pooled.dBias }
          : reluGradWithBiasSum(kernels, dy as tf.Tensor, ys);
      const engine = tf.engine();
      const dW = engine.runKernel(
        tf.Conv2DBackpropFilter,
        { x: xs, dy: dz },
        { ...attrs, filterShape: ws.shape },
      );
      if (imageInput) return [dW as tf.Tensor, dBias];
      const dX = engine.runKernel(
        tf.Conv2DBackpropInput,
        { dy: dz, filter: ws },
        { ...attrs, inputShape: xs.shape },
      );
      return [dX as tf.Tensor, dW as tf.Tensor, dBias];
    };
    return { value: y, gradFunc };
  });
  return op(...differentiated) as tf.Tensor4D;
}

/**
 * A 2x2/2 'valid' max-pool of an output of convBiasReluInTraining (isConvBiasReluOutput), whose gradient does the
 * convolution op's ReLU and bias work too: one pass of ours (wasm/relu-grad.ts, poolReluGradWithBiasSum) turns the
 * pooled gradient into dz, already masked by the ReLU, and sums the bias gradient, which the convolution's gradient
 * then takes as they are, instead of a pool gradient (a full-size temporary) and a ReLU pass over it. Masking in
 * the pool's gradient is exact for any consumer mix: the convolution's gradient masks by y > 0 itself whenever dy
 * is not exactly this dz (another consumer's gradient added to it), and masking twice is masking once.
 */
export function maxPoolOfConvBiasRelu(kernels: SimdKernels, y: tf.Tensor4D): tf.Tensor4D {
  const record = reluOutputs.get(y.dataId);
  if (!record) throw new Error('maxPoolOfConvBiasRelu takes only an output of convBiasReluInTraining.');
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' as const };
  const op = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const pooled = tf.engine().runKernel(tf.MaxPool, { x: input }, attrs) as tf.Tensor4D;
    save([input]);
    const gradFunc = (dp: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [ys] = saved as [tf.Tensor4D];
      const backend = tf.backend() as BackendWasm;
      const [batch, inHeight, inWidth, channels] = ys.shape;
      const dz = backend.makeOutput(ys.shape, 'float32');
      const scratch = backend.makeOutput([3 * channels], 'float32');
      const dBias = backend.makeOutput([channels], 'float32');
      const at = (info: tf.TensorInfo) => heapOffset(backend, info);
      kernels.poolReluGradWithBiasSum(
        { dp: at(dp as tf.Tensor), y: at(ys), dz: at(dz), scratch: at(scratch), biasGrad: at(dBias) },
        { batch, inHeight, inWidth, channels, outHeight: inHeight >> 1, outWidth: inWidth >> 1 },
      );
      backend.disposeData(scratch.dataId);
      const engine = tf.engine();
      record.pooled = { dz: dz.dataId, dBias: engine.makeTensorFromTensorInfo(dBias) as tf.Tensor1D };
      return [engine.makeTensorFromTensorInfo(dz)];
    };
    return { value: pooled, gradFunc };
  });
  return op(y) as tf.Tensor4D;
}

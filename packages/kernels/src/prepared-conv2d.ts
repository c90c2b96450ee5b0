/**
 * Convolutions whose filter is constant (serving): the filter is packed for the direct kernel or transformed for
 * Winograd once, when the model loads, and held; each call then runs only the convolution. Measured at 224 px,
 * batch 1: packing stage 4's 3x3x512x512 filter was a third of the direct kernel's time on that layer, and
 * Winograd's transform (3.7 ms) is longer than its convolution (2 ms). Explicit, never a cache keyed on tensors:
 * in training the optimizer may overwrite a filter's buffer in place between steps.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  biasFits,
  type ConvMethod,
  convMethod,
  convPrepared,
  ourCase,
  preparedSize,
  prepareOnHeap,
} from './conv-methods.js';
import { type ConvGeometry, type ConvPad, convGeometry } from './geometry.js';
import { simdKernels } from './simd.js';

/** The kernel that runs a convolution with a prepared filter (inputs x, prepared, bias). */
const PREPARED_CONV2D = 'MriPreparedConv2D';

export interface PrepareOptions {
  strides: number | [number, number];
  pad: ConvPad;
  dilations?: number | [number, number];
}

/** A filter prepared for our kernels, held until `dispose`. */
export interface PreparedConv2d {
  /** conv2d of x (NHWC) with the filter, + bias, then the activation: tf.fused.conv2d's answer. */
  apply(x: tf.Tensor4D, bias?: tf.Tensor1D, activation?: 'linear' | 'relu'): tf.Tensor4D;
  /** Whether `apply` still reads the original filter (the fallback); when false the caller may dispose it. */
  readonly readsFilter: boolean;
  dispose(): void;
}

interface PreparedAttrs {
  method: ConvMethod;
  filterShape: number[];
  strides: number | [number, number];
  pad: ConvPad;
  relu: boolean;
}

/**
 * Prepares `filter` ([kh, kw, ci, co]) for convolutions with these settings on the wasm backend's kernels. Where
 * ours do not take the case (another backend, dilation, output channels not a multiple of 8) `apply` runs
 * tf.fused.conv2d with the filter itself (`readsFilter`), so the caller must then keep the filter alive as long as
 * the prepared one.
 * The method does not depend on the input's size (conv-methods.ts), so one prepared filter serves every size.
 */
export function prepareConv2d(filter: tf.Tensor4D, options: PrepareOptions): PreparedConv2d {
  const fallback = builtinConv(filter, options);
  if (tf.getBackend() !== 'wasm' || filter.dtype !== 'float32') return fallback;
  const backend = tf.backend() as BackendWasm;
  const kernels = simdKernels(backend);
  const attrs = { ...options, dataFormat: 'NHWC' };
  if (!kernels || !ourCase({ dtype: 'float32' }, filter.shape, attrs)) return fallback;
  // A nominal input one pixel larger than the filter: the method and the prepared layout depend only on the
  // filter, the stride and the channels.
  const [kh, kw, ci] = filter.shape;
  const g = convGeometry([1, kh + 1, kw + 1, ci], filter.shape, options.strides, options.pad);
  const method = convMethod(g);
  const info = backend.makeOutput([preparedSize(kernels, method, g)], 'float32');
  prepareOnHeap(backend, kernels, method, filter, info, g);
  const prepared = tf.engine().makeTensorFromTensorInfo(info);
  tf.keep(prepared);
  const filterShape = [...filter.shape];
  return {
    readsFilter: false,
    apply: (x, bias, activation = 'linear') => {
      if (bias && !biasFits(bias, filterShape[3] as number)) {
        throw new Error(
          `The bias of a prepared convolution must have ${filterShape[3]} values, got ${bias.shape}.`,
        );
      }
      const prepAttrs: PreparedAttrs = {
        method,
        filterShape,
        strides: options.strides,
        pad: options.pad,
        relu: activation === 'relu',
      };
      const inputs: tf.NamedTensorMap = { x, prepared };
      if (bias) inputs.bias = bias;
      return tf.engine().runKernel(PREPARED_CONV2D, inputs, prepAttrs as never) as tf.Tensor4D;
    },
    dispose: () => prepared.dispose(),
  };
}

function builtinConv(filter: tf.Tensor4D, options: PrepareOptions): PreparedConv2d {
  return {
    readsFilter: true,
    apply: (x, bias, activation = 'linear') =>
      tf.fused.conv2d({
        x,
        filter,
        strides: options.strides,
        pad: options.pad,
        dilations: options.dilations,
        bias,
        activation,
      }),
    dispose: () => undefined,
  };
}

export const preparedConv2dConfig: tf.KernelConfig = {
  kernelName: PREPARED_CONV2D,
  backendName: 'wasm',
  kernelFunc: (params) => {
    const { x, prepared, bias } = params.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = params.attrs as unknown as PreparedAttrs;
    const backend = params.backend as BackendWasm;
    const kernels = simdKernels(backend);
    if (!x || !prepared || !kernels)
      throw new Error(`${PREPARED_CONV2D} needs x, a prepared filter and our kernels.`);
    const g: ConvGeometry = convGeometry(x.shape, attrs.filterShape, attrs.strides, attrs.pad);
    return convPrepared(backend, kernels, attrs.method, x, prepared, bias, g, attrs.relu);
  },
};

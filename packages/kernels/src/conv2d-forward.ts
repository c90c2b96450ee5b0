/**
 * Conv2D and FusedConv2D (bias, ReLU) on wasm by our kernels: Winograd F(4x4, 3x3) (wasm/winograd.ts) for 3x3
 * stride-1 layers, the direct kernel (wasm/conv.ts, 1.4-1.9x XNNPACK's convolution here) for the rest
 * (conv-methods.ts chooses; the package README has the figures); the cases neither covers (dilation, NCHW, other
 * activations, output channels not a multiple of 8, our modules not loading) go to the builtin kernels. Both the
 * forward passes and, through tf.conv2d, the input gradients (conv2d-backprop-input.ts) take them. The filter is
 * packed or transformed on every call: weights change between training steps. Constant weights (serving) are
 * prepared once with `prepareConv2d` (prepared-conv2d.ts).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { callBuiltin, replaceWasmKernels } from './builtin.js';
import {
  biasFits,
  type ConvAttrs,
  convMethod,
  convPrepared,
  ourCase,
  preparedSize,
  prepareOnHeap,
} from './conv-methods.js';
import { convGeometry } from './geometry.js';
import { preparedConv2dConfig } from './prepared-conv2d.js';
import { simdKernels } from './simd.js';

export { convMethod, useWinograd, winogradBlockTiles } from './conv-methods.js';
export { type PreparedConv2d, type PrepareOptions, prepareConv2d } from './prepared-conv2d.js';

/** Runs the convolution on our kernel into a new output, or returns null when the case is not ours. */
function convByOurKernel(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  attrs: ConvAttrs,
  relu: boolean,
): tf.TensorInfo | null {
  const kernels = simdKernels(backend);
  const outChannels = filter.shape[3] as number;
  if (!kernels || !ourCase(x, filter.shape, attrs) || !biasFits(bias, outChannels)) return null;
  const g = convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  const method = convMethod(g);
  const prepared = backend.makeOutput([preparedSize(kernels, method, g)], 'float32');
  prepareOnHeap(backend, kernels, method, filter, prepared, g);
  const out = convPrepared(backend, kernels, method, x, prepared, bias, g, relu);
  backend.disposeData(prepared.dataId);
  return out;
}

export const conv2dConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: (params) => {
    const { x, filter } = params.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = params.attrs as unknown as ConvAttrs;
    const backend = params.backend as BackendWasm;
    return convByOurKernel(backend, x, filter, undefined, attrs, false) ?? callBuiltin(tf.Conv2D, params);
  },
};

export const fusedConv2dConfig: tf.KernelConfig = {
  kernelName: tf.FusedConv2D,
  backendName: 'wasm',
  kernelFunc: (params) => {
    const { x, filter, bias, preluActivationWeights } = params.inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const attrs = params.attrs as unknown as ConvAttrs;
    const activation = attrs.activation ?? 'linear';
    const ours =
      x &&
      filter &&
      preluActivationWeights === undefined &&
      (activation === 'linear' || activation === 'relu')
        ? convByOurKernel(params.backend as BackendWasm, x, filter, bias, attrs, activation === 'relu')
        : null;
    return ours ?? callBuiltin(tf.FusedConv2D, params);
  },
};

export const wasmConvolutionKernels: readonly tf.KernelConfig[] = [
  conv2dConfig,
  fusedConv2dConfig,
  preparedConv2dConfig,
];

/** Puts our convolution on the wasm backend, for inference without the training kernels (the serving loader). */
export function registerWasmConvolution(): void {
  replaceWasmKernels(wasmConvolutionKernels);
}

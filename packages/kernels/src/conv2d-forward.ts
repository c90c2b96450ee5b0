/**
 * Conv2D and FusedConv2D (bias, ReLU) on wasm by our direct kernel (wasm/conv.ts), which runs 1.4-1.9x XNNPACK's
 * convolution here (the package README); the cases it does not cover (dilation, NCHW, other activations, output
 * channels not a multiple of 8, our modules not loading) go to the builtin kernels. Both the forward passes and,
 * through tf.conv2d, the input gradients (conv2d-backprop-input.ts) take it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { callBuiltin, replaceWasmKernels } from './builtin.js';
import {
  type ConvGeometry,
  type ConvPad,
  convGeometry,
  paddedGeometry,
  paddedInputSize,
} from './geometry.js';
import { heapOffset, type SimdKernels, simdKernels } from './simd.js';

interface ConvAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

function unitDilation(dilations: ConvAttrs['dilations']): boolean {
  if (dilations === undefined) return true;
  return typeof dilations === 'number' ? dilations === 1 : dilations[0] === 1 && dilations[1] === 1;
}

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
  const plain =
    kernels?.conv !== undefined &&
    (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') &&
    unitDilation(attrs.dilations) &&
    outChannels % 8 === 0 &&
    x.dtype === 'float32' &&
    (bias === undefined || (bias.shape.length === 1 && bias.shape[0] === outChannels));
  if (!plain || !kernels) return null;
  const g = convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
  if (g.batch * g.outHeight * g.outWidth === 0) return out;
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  const packed = backend.makeOutput([filter.shape.reduce((a, b) => a * b, 1)], 'float32');
  kernels.packFilter({ filter: at(filter), packed: at(packed) }, g);
  const input = paddedInput(backend, kernels, x, g);
  const bias0 = bias === undefined ? 0 : at(bias);
  kernels.conv({ x: at(input.info), packed: at(packed), bias: bias0, out: at(out) }, input.geometry, relu);
  backend.disposeData(packed.dataId);
  if (input.info !== x) backend.disposeData(input.info.dataId);
  return out;
}

/**
 * x with its padding written out as zeros, cut to the rows and columns the convolution reads (the kernel has no
 * bounds checks in its inner loop); x itself when no padding is needed.
 */
function paddedInput(
  backend: BackendWasm,
  kernels: SimdKernels,
  x: tf.TensorInfo,
  g: ConvGeometry,
): { info: tf.TensorInfo; geometry: ConvGeometry } {
  const { height, width } = paddedInputSize(g);
  if (g.padTop === 0 && g.padLeft === 0 && height <= g.inHeight && width <= g.inWidth) {
    return { info: x, geometry: g };
  }
  const info = backend.makeOutput([g.batch, height, width, g.inChannels], 'float32');
  kernels.padImages(
    { x: heapOffset(backend, x), out: heapOffset(backend, info) },
    { batch: g.batch, height: g.inHeight, width: g.inWidth, channels: g.inChannels },
    {
      top: g.padTop,
      bottom: height - g.inHeight - g.padTop,
      left: g.padLeft,
      right: width - g.inWidth - g.padLeft,
    },
  );
  return { info, geometry: paddedGeometry(g) };
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

export const wasmConvolutionKernels: readonly tf.KernelConfig[] = [conv2dConfig, fusedConv2dConfig];

/** Puts our convolution on the wasm backend, for inference without the training kernels (the serving loader). */
export function registerWasmConvolution(): void {
  replaceWasmKernels(wasmConvolutionKernels);
}

import * as tf from '@tensorflow/tfjs-core';
import { assertChannelsLast, type ConvPad, convGeometry } from './geometry.js';
import { asTensor, convWithSignedPad } from './tensors.js';

interface BackpropFilterAttrs {
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dW of a conv layer as one forward convolution (the kernel tfjs 4.22 lacks on wasm). With input channels
 * as the batch and the batch as the channels, dW[kh,kw,ci,co] = sum over n,oh,ow of
 * x[n, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[n,oh,ow,co] is a convolution of x^T [ci,H,W,n] by the "filter"
 * dy^T [OH,OW,n,co] dilated by the forward stride, whose output [ci,KH,KW,co] is dW up to a transpose.
 */
export function conv2dBackpropFilter(
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  attrs: BackpropFilterAttrs,
) {
  assertChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
  const g = convGeometry(xInfo.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const xT = tf.transpose(x, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const pads = {
      top: g.padTop,
      left: g.padLeft,
      bottom: g.filterHeight + (g.outHeight - 1) * g.strideHeight - g.inHeight - g.padTop,
      right: g.filterWidth + (g.outWidth - 1) * g.strideWidth - g.inWidth - g.padLeft,
    };
    const dilations: [number, number] = [g.strideHeight, g.strideWidth];
    const dwT = convWithSignedPad(xT, dyT, pads, dilations, g.filterHeight, g.filterWidth);
    return tf.transpose(dwT, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return conv2dBackpropFilter(x, dy, attrs as unknown as BackpropFilterAttrs);
  },
};

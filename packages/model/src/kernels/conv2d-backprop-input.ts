import * as tf from '@tensorflow/tfjs-core';
import { assertChannelsLast, type ConvPad, convGeometry } from './geometry.js';
import { asTensor, convWithSignedPad, zeroStuff } from './tensors.js';

interface BackpropInputAttrs {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dX of a conv layer as one forward convolution, which XNNPACK runs ~14x faster than the builtin wasm
 * Conv2DBackpropInput: dX = conv(zeroStuff(dy, stride), W flipped in space with in/out channels swapped),
 * padded by (filter - 1 - forward pad) on the leading sides so that every dy tap lands where the forward
 * pass read it.
 */
export function conv2dBackpropInput(
  dyInfo: tf.TensorInfo,
  filterInfo: tf.TensorInfo,
  attrs: BackpropInputAttrs,
) {
  assertChannelsLast(attrs.dataFormat, 'Conv2DBackpropInput');
  const g = convGeometry(attrs.inputShape, filterInfo.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const stuffed = zeroStuff(dy, g.strideHeight, g.strideWidth);
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const pads = {
      top,
      left,
      bottom: g.inHeight + g.filterHeight - 1 - top - stuffed.shape[1],
      right: g.inWidth + g.filterWidth - 1 - left - stuffed.shape[2],
    };
    return convWithSignedPad(stuffed, flipped, pads, [1, 1], g.inHeight, g.inWidth);
  });
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return conv2dBackpropInput(dy, filter, attrs as unknown as BackpropInputAttrs);
  },
};

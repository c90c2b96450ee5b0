import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOutput } from './heap.js';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad as one pass over NHWC memory with channels innermost, where the builtin wasm kernel walks the
 * input with a large stride (~10x slower). Like the cpu kernel, each window routes its gradient to the
 * first maximum in row-major order (strict >), ignoring positions outside the input.
 */
function maxPoolGrad(
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const rowStride = inWidth * c;
  dx.fill(0);
  let dyAt = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = Math.max(oh * strideHeight - top, 0);
      const rowEnd = Math.min(oh * strideHeight - top + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, dyAt += c) {
        const colStart = Math.max(ow * strideWidth - left, 0);
        const colEnd = Math.min(ow * strideWidth - left + filterWidth, inWidth);
        const corner = image + rowStart * rowStride + colStart * c;
        for (let ch = 0; ch < c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestAt = -1;
          for (let ih = rowStart, rowAt = corner + ch; ih < rowEnd; ih++, rowAt += rowStride) {
            for (let iw = colStart, at = rowAt; iw < colEnd; iw++, at += c) {
              const v = x[at] as number;
              if (v > best) {
                best = v;
                bestAt = at;
              }
            }
          }
          if (bestAt >= 0) dx[bestAt] = (dx[bestAt] as number) + (dy[dyAt + ch] as number);
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { out, outView, inViews } = heapOutput(backend as BackendWasm, input.shape, [dy, input]);
    maxPoolGrad(inViews[0] as Float32Array, inViews[1] as Float32Array, outView, info);
    return out;
  },
};

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
  const window = { rows: 0, cols: 0, rowStride: inWidth * c, channels: c };
  dx.fill(0);
  let dyAt = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = Math.max(oh * strideHeight - top, 0);
      window.rows = Math.min(oh * strideHeight - top + filterHeight, inHeight) - rowStart;
      for (let ow = 0; ow < outWidth; ow++, dyAt += c) {
        const colStart = Math.max(ow * strideWidth - left, 0);
        window.cols = Math.min(ow * strideWidth - left + filterWidth, inWidth) - colStart;
        const corner = ((n * inHeight + rowStart) * inWidth + colStart) * c;
        routeWindow(dy, x, dx, dyAt, corner, window);
      }
    }
  }
}

/** Adds each channel's dy to the first maximum of its window, whose top-left element is at `corner`. */
function routeWindow(
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  dyAt: number,
  corner: number,
  window: { rows: number; cols: number; rowStride: number; channels: number },
): void {
  const { rows, cols, rowStride, channels } = window;
  for (let ch = 0; ch < channels; ch++) {
    let best = Number.NEGATIVE_INFINITY;
    let bestAt = -1;
    for (let r = 0, rowAt = corner + ch; r < rows; r++, rowAt += rowStride) {
      for (let col = 0, at = rowAt; col < cols; col++, at += channels) {
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

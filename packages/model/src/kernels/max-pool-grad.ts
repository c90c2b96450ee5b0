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
  if (
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    top === 0 &&
    left === 0
  ) {
    maxPoolGrad2x2(dy, x, dx, info);
    return;
  }
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

/**
 * The common 2x2 stride-2 case: windows do not overlap, so each one writes its four outputs directly (dy at
 * the first maximum, 0 elsewhere) in one sequential pass, with no zero fill and no scattered adds.
 */
function maxPoolGrad2x2(
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const rowStride = inWidth * inChannels;
  if (outHeight * 2 < inHeight || outWidth * 2 < inWidth) dx.fill(0);
  const row = { rowStride, channels: inChannels, windows: outWidth };
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const dyAt = (n * outHeight + oh) * outWidth * inChannels;
      routeRow2x2(dy, x, dx, dyAt, (n * inHeight + oh * 2) * rowStride, row);
    }
  }
}

/** One row of 2x2 windows whose top-left input element is at `xAt`. */
function routeRow2x2(
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  dyAt: number,
  xAt: number,
  row: { rowStride: number; channels: number; windows: number },
): void {
  const { rowStride, channels, windows } = row;
  for (let w = 0, g = dyAt; w < windows; w++) {
    const corner = xAt + w * 2 * channels;
    for (let p0 = corner; p0 < corner + channels; p0++, g++) {
      const p1 = p0 + channels;
      const p2 = p0 + rowStride;
      const p3 = p2 + channels;
      const at = firstMaxOf4(x, p0, p1, p2, p3);
      const grad = dy[g] as number;
      dx[p0] = at === p0 ? grad : 0;
      dx[p1] = at === p1 ? grad : 0;
      dx[p2] = at === p2 ? grad : 0;
      dx[p3] = at === p3 ? grad : 0;
    }
  }
}

/** Which of four positions holds the first maximum (strict >, so NaN and -Infinity never win); -1 if none. */
function firstMaxOf4(x: Float32Array, p0: number, p1: number, p2: number, p3: number): number {
  let best = x[p0] as number;
  let at = best > Number.NEGATIVE_INFINITY ? p0 : -1;
  if (at < 0) best = Number.NEGATIVE_INFINITY;
  const v1 = x[p1] as number;
  if (v1 > best) {
    best = v1;
    at = p1;
  }
  const v2 = x[p2] as number;
  if (v2 > best) {
    best = v2;
    at = p2;
  }
  return (x[p3] as number) > best ? p3 : at;
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

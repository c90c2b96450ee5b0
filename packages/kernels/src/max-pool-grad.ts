import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOutput } from './heap.js';
import { heapOffset, simdKernels } from './simd.js';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad as one pass over NHWC memory with channels innermost, where the builtin wasm kernel walks the input
 * with a large stride (several times slower: README, Speed). Like the cpu kernel, each window routes its gradient
 * to the first maximum in row-major order (strict >), ignoring positions outside the input. This is the path
 * where our wasm modules cannot load: with them, tiling 2x2 windows (every 2x2 pool of the zoo) go to
 * wasm/max-pool-grad.ts' 2x2 kernel and any other window (ResNet's 3x3/2 stem pool) to its general SIMD one, the
 * same routing with four channels per vector (the JavaScript loop took 3-5 % of a ResNet18 training step).
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

/**
 * 2x2 windows at stride 2 that all lie inside the input (no padding on any side), the case of every 2x2 pool
 * in the zoo. The SIMD kernel reads and writes whole windows unchecked, so this test is what keeps it
 * inside the tensors.
 */
function isTiled2x2(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const square = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2;
  const inside = info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth;
  return square && inside && padInfo.top === 0 && padInfo.left === 0;
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
    const wasm = backend as BackendWasm;
    const { out, outView, inViews } = heapOutput(wasm, input.shape, [dy, input]);
    const simd = simdKernels(wasm);
    const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
    const { batchSize: batch, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const geometry = { batch, inHeight, inWidth, channels, outHeight, outWidth };
    if (simd && isTiled2x2(info)) {
      // Rows and columns no window covers (odd sizes) get no gradient; the kernel writes every covered one.
      if (info.outHeight * 2 < info.inHeight || info.outWidth * 2 < info.inWidth) outView.fill(0);
      simd.maxPoolGrad2x2({ dy: at(dy), x: at(input), dx: at(out) }, geometry);
    } else if (simd) {
      const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
      simd.maxPoolGradWindows({ dy: at(dy), x: at(input), dx: at(out) }, geometry, {
        filterHeight,
        filterWidth,
        strideHeight,
        strideWidth,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
      });
    } else {
      maxPoolGrad(inViews[0] as Float32Array, inViews[1] as Float32Array, outView, info);
    }
    return out;
  },
};

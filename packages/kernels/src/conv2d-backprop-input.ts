import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { assertChannelsLast, type ConvGeometry, type ConvPad, convGeometry } from './geometry.js';
import { heapOutput } from './heap.js';
import { heapOffset } from './simd.js';
import { asTensor, convWithSignedPad } from './tensors.js';

interface BackpropInputAttrs {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dX of a conv layer as forward convolutions, which XNNPACK runs far faster than the builtin wasm
 * Conv2DBackpropInput (README, Speed). Stride 1: dX = conv(dy, W flipped in space with in/out channels swapped),
 * padded by (filter - 1 - forward pad) on the leading sides so that every dy tap lands where the forward pass read
 * it.
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
    if (g.strideHeight > 1 || g.strideWidth > 1) return stridedInputGrad(dy, filter, g);
    const flipped = flippedSwapped(filter);
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const pads = {
      top,
      left,
      bottom: g.inHeight + g.filterHeight - 1 - top - dy.shape[1],
      right: g.inWidth + g.filterWidth - 1 - left - dy.shape[2],
    };
    return convWithSignedPad(dy, flipped, pads, [1, 1], g.inHeight, g.inWidth);
  });
}

/**
 * W [kh, kw, ci, co] flipped in space with its channel axes swapped, [kh, kw, co, ci], in one pass over the
 * heap: the builtin wasm Reverse alone took ~2.5 ms on a 3x3x64x128 filter, longer than this whole copy.
 */
function flippedSwapped(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  if (tf.getBackend() !== 'wasm') return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const backend = tf.backend() as BackendWasm;
  const { out, outView, inViews } = heapOutput(backend, [kh, kw, co, ci], [filter]);
  const w = inViews[0] as Float32Array;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * ci * co;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) outView[to + o * ci + c] = w[from + c * co + o] as number;
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

/**
 * Stride s > 1, without the s^2-fold waste of convolving a zero-stuffed dy: the input rows i with
 * (i + padTop) mod s = r only ever met filter rows r, r + s, r + 2s, ..., so each of the s x s phases of dX
 * is a stride-1 convolution of dy with that sub-filter (flipped), written straight into its rows and columns of
 * dX. Each sub-filter is cut, flipped and channel-swapped in one typed-array pass and each phase is scattered
 * into dX by heap copies of whole pixels: tfjs' Transpose, StridedSlice, Reverse, two Stacks and a Slice took
 * 4-12x the time of the convolutions themselves on ResNet18's deep layers (bench/resnet-layers.bench.ts).
 */
function stridedInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return stridedInputGradByOps(dy, filter, g);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = g;
  const rowsOut = Math.ceil((g.inHeight + g.padTop) / sh);
  const colsOut = Math.ceil((g.inWidth + g.padLeft) / sw);
  const backend = tf.backend() as BackendWasm;
  const dx = tf
    .engine()
    .makeTensorFromTensorInfo(
      backend.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], 'float32'),
    ) as tf.Tensor4D;
  const emptyPhase = sh > kh || sw > kw;
  if (emptyPhase) (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  for (let r = 0; r < sh; r++) {
    for (let c = 0; c < sw; c++) {
      const taps = [Math.ceil((kh - r) / sh), Math.ceil((kw - c) / sw)] as const;
      if (taps[0] <= 0 || taps[1] <= 0) continue;
      const sub = subFilter(filter, { row: r, col: c, strideHeight: sh, strideWidth: sw, taps });
      const pads = {
        top: taps[0] - 1,
        left: taps[1] - 1,
        bottom: rowsOut - g.outHeight,
        right: colsOut - g.outWidth,
      };
      const phase = convWithSignedPad(dy, sub, pads, [1, 1], rowsOut, colsOut);
      scatterPhase(backend, phase, dx, { row: r, col: c, g });
      tf.dispose([sub, phase]);
    }
  }
  return dx;
}

/** W's taps (row + i*sh, col + j*sw), flipped in space, channels swapped: [ta, tb, co, ci]. */
function subFilter(
  filter: tf.Tensor4D,
  at: {
    row: number;
    col: number;
    strideHeight: number;
    strideWidth: number;
    taps: readonly [number, number];
  },
): tf.Tensor4D {
  const [, kw, ci, co] = filter.shape;
  const [ta, tb] = at.taps;
  const backend = tf.backend() as BackendWasm;
  const { out, outView, inViews } = heapOutput(backend, [ta, tb, co, ci], [filter]);
  const w = inViews[0] as Float32Array;
  for (let a = 0; a < ta; a++) {
    for (let b = 0; b < tb; b++) {
      const i = at.row + at.strideHeight * (ta - 1 - a);
      const j = at.col + at.strideWidth * (tb - 1 - b);
      const from = (i * kw + j) * ci * co;
      const to = (a * tb + b) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) outView[to + o * ci + c] = w[from + c * co + o] as number;
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

/** Copies phase (row, col) [n, rowsOut, colsOut, ci] into dX's pixels (row + y*sh - padTop, col + x*sw - padLeft). */
function scatterPhase(
  backend: BackendWasm,
  phase: tf.Tensor4D,
  dx: tf.Tensor4D,
  at: { row: number; col: number; g: ConvGeometry },
): void {
  const { g } = at;
  const [, rowsOut, colsOut, channels] = phase.shape;
  const heap = (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
  const src0 = heapOffset(backend, phase) >> 2;
  const dst0 = heapOffset(backend, dx) >> 2;
  for (let n = 0; n < g.batch; n++) {
    for (let y = 0; y < rowsOut; y++) {
      const i = at.row + y * g.strideHeight - g.padTop;
      if (i < 0 || i >= g.inHeight) continue;
      for (let x = 0; x < colsOut; x++) {
        const j = at.col + x * g.strideWidth - g.padLeft;
        if (j < 0 || j >= g.inWidth) continue;
        const src = src0 + ((n * rowsOut + y) * colsOut + x) * channels;
        heap.copyWithin(dst0 + ((n * g.inHeight + i) * g.inWidth + j) * channels, src, src + channels);
      }
    }
  }
}

/** The same phases by tfjs ops, for backends other than wasm. */
function stridedInputGradByOps(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = g;
  const rowsOut = Math.ceil((g.inHeight + g.padTop) / sh);
  const colsOut = Math.ceil((g.inWidth + g.padLeft) / sw);
  const swapped = tf.transpose(filter, [0, 1, 3, 2]);
  const phase = (r: number, c: number): tf.Tensor4D => {
    const taps = [Math.ceil((kh - r) / sh), Math.ceil((kw - c) / sw)] as const;
    if (taps[0] <= 0 || taps[1] <= 0) return tf.zeros([g.batch, rowsOut, colsOut, g.inChannels]);
    const sub = tf.stridedSlice(swapped, [r, c, 0, 0], [kh, kw, g.outChannels, g.inChannels], [sh, sw, 1, 1]);
    const pads = {
      top: taps[0] - 1,
      left: taps[1] - 1,
      bottom: rowsOut - g.outHeight,
      right: colsOut - g.outWidth,
    };
    return convWithSignedPad(dy, tf.reverse(sub as tf.Tensor4D, [0, 1]), pads, [1, 1], rowsOut, colsOut);
  };
  const rows = Array.from({ length: sh }, (_, r) =>
    tf.stack(
      Array.from({ length: sw }, (_, c) => phase(r, c)),
      3,
    ),
  );
  const interleaved = tf.reshape<tf.Rank.R4>(tf.stack(rows, 2), [
    g.batch,
    rowsOut * sh,
    colsOut * sw,
    g.inChannels,
  ]);
  return tf.slice(interleaved, [0, g.padTop, g.padLeft, 0], [-1, g.inHeight, g.inWidth, -1]);
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return conv2dBackpropInput(dy, filter, attrs as unknown as BackpropInputAttrs);
  },
};

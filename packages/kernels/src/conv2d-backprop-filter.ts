import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { winogradAllowed, winogradShape } from './conv-methods.js';
import {
  assertChannelsLast,
  type ConvGeometry,
  type ConvPad,
  convGeometry,
  winogradTiles,
} from './geometry.js';
import { currentWasmKernels, heapOffset, type SimdKernels } from './simd.js';
import { asTensor, convWithSignedPad } from './tensors.js';

export interface BackpropFilterAttrs {
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Largest transposed-patches matrix built at once (64 MB); bigger batches are summed over image chunks, so
 * memory stays bounded at any input size while each product is still long enough to run at full speed.
 */
const MAX_PATCH_VALUES = 16 * 1024 * 1024;

/** Output pixels the direct filter gradient sums per pass over its tiles (measured best of 12 to 64). */
const ROW_PIXELS = 24;

/**
 * dW of a conv layer as one plain matrix product, the shape XNNPACK runs fastest on wasm (faster than the
 * convolution below, and many times faster than a product with a transposed operand; README, Speed): the
 * transposed patches P [kh*kw*ci, n*oh*ow] of x, built by our wasm kernel, times dy read as [n*oh*ow, co] in
 * place, is dW as [kh*kw*ci, co], already in the filter's layout.
 */
function filterGradByProduct(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  kernels: SimdKernels,
  backend: BackendWasm,
  maxPatchValues: number,
): tf.Tensor4D {
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const perImage = g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(maxPatchValues / (rows * perImage))));
  const dy2d = tf.reshape(dy, [g.batch * perImage, g.outChannels]);
  // Channels first, so that every run of a patches row is a contiguous copy.
  const xc = tf.transpose(x, [3, 0, 1, 2]);
  let sum: tf.Tensor2D | undefined;
  for (let first = 0; first < g.batch; first += chunk) {
    const count = Math.min(chunk, g.batch - first);
    const patchesInfo = backend.makeOutput([rows, count * perImage], 'float32');
    const patches = tf.engine().makeTensorFromTensorInfo(patchesInfo) as tf.Tensor2D;
    kernels.transposedPatches({ xc: heapOffset(backend, xc), out: heapOffset(backend, patchesInfo) }, g, {
      first,
      count,
    });
    const rowsOfDy = count === g.batch ? dy2d : tf.slice(dy2d, [first * perImage, 0], [count * perImage, -1]);
    const part: tf.Tensor2D = tf.matMul(patches, rowsOfDy);
    sum = sum === undefined ? part : tf.add<tf.Tensor2D>(sum, part);
  }
  return tf.reshape(sum as tf.Tensor2D, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
}

/**
 * dW straight from x and dy by our kernel (wasm/filter-grad.ts), for channel counts it tiles and for one-channel
 * images: no patches matrix, no packed copy of dy, and fused multiply-adds where the engine has them.
 */
function filterGradDirect(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  kernels: SimdKernels,
  backend: BackendWasm,
): tf.Tensor4D {
  const dwInfo = backend.makeOutput([g.filterHeight, g.filterWidth, g.inChannels, g.outChannels], 'float32');
  // Enough output rows per pass that each 4 x 8 tile streams a few dozen pixels between loading and storing
  // its accumulators, few enough that the rows' x and dy stay in the core's cache across the tiles.
  const rowsPerChunk = Math.max(1, Math.ceil(ROW_PIXELS / g.outWidth));
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  kernels.filterGrad({ x: at(x), dy: at(dy), dw: at(dwInfo) }, g, rowsPerChunk);
  return tf.engine().makeTensorFromTensorInfo(dwInfo) as tf.Tensor4D;
}

// --- Winograd F(3x3, 4x4) filter gradient (wasm/winograd-filter-grad.ts) ---

/** Bytes of V and D per block of tiles: sized for L2 (measured: README, "Winograd filter gradient"). */
const WINOGRAD_BLOCK_BYTES = 512 * 1024;

/**
 * Whether Winograd computes this layer's dW: 3x3, stride 1, channels its register tiles take (in a multiple of
 * 4, out of 8), and enough of them that its 4x fewer multiply-adds outweigh the transforms, whose cost grows with
 * ci + co per tile where the products grow with ci x co. Measured per layer (CPU ms, direct -> Winograd, batch 32,
 * 2026-12-04): ci x co 16 x 16 15.9 -> 13.4, 8 x 32 4.3 -> 3.7, 12 x 24 5.7 -> 4.4, 32 x 64 26 -> 13.7; but
 * 8 x 16 8.3 -> 7.8 (even), 4 x 64 3.8 -> 4.3, 64 x 8 8.7 -> 9.0, 8 x 8 3.9 -> 5.5 (slower).
 */
export function winogradFilterGradFits(g: ConvGeometry): boolean {
  return winogradShape(g) && g.inChannels >= 8 && g.outChannels >= 16 && g.inChannels * g.outChannels >= 256;
}

/**
 * Fewest tiles per block: each register tile's 36 partial sums are loaded and stored once per block, so a block
 * must be long enough for that to be small beside its multiply-adds (stage 4's 512 channels at 4x4 px).
 */
const MIN_BLOCK_TILES = 16;

/** Tiles per block: V and D of a block ([36][tiles][ci] and [36][tiles][co] floats) fill `blockBytes`. */
export function filterGradBlockTiles(g: ConvGeometry, blockBytes = WINOGRAD_BLOCK_BYTES): number {
  return Math.max(MIN_BLOCK_TILES, Math.floor(blockBytes / (36 * 4 * (g.inChannels + g.outChannels))));
}

/** dW by Winograd F(3x3, 4x4): 4x fewer multiply-adds than the direct sum, plus the transforms. */
export function filterGradWinograd(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  kernels: SimdKernels,
  backend: BackendWasm,
  blockTiles = filterGradBlockTiles(g),
): tf.Tensor4D {
  const dwInfo = backend.makeOutput([3, 3, g.inChannels, g.outChannels], 'float32');
  const scratchInfo = backend.makeOutput(
    [Math.ceil(kernels.winogradFilterGradScratch(g, blockTiles) / 4)],
    'float32',
  );
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  kernels.winogradFilterGrad(
    { x: at(x), dy: at(dy), dw: at(dwInfo), scratch: at(scratchInfo) },
    g,
    Math.min(blockTiles, winogradTiles(g)),
  );
  backend.disposeData(scratchInfo.dataId);
  return tf.engine().makeTensorFromTensorInfo(dwInfo) as tf.Tensor4D;
}

// --- end Winograd ---

/**
 * dW of a conv layer as one forward convolution, where our wasm kernels cannot be loaded. With input channels
 * as the batch and the batch as the channels, dW[kh,kw,ci,co] = sum over n,oh,ow of
 * x[n, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[n,oh,ow,co] is a convolution of x^T [ci,H,W,n] by the "filter"
 * dy^T [OH,OW,n,co] dilated by the forward stride, whose output [ci,KH,KW,co] is dW up to a transpose.
 */
export function conv2dBackpropFilter(
  xInfo: tf.TensorInfo,
  dyInfo: tf.TensorInfo,
  attrs: BackpropFilterAttrs,
  maxPatchValues = MAX_PATCH_VALUES,
  winograd = winogradAllowed(),
) {
  assertChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
  const g = convGeometry(xInfo.shape, attrs.filterShape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const kernels = currentWasmKernels();
    const backend = tf.backend() as BackendWasm;
    if (kernels && winograd && winogradFilterGradFits(g))
      return filterGradWinograd(x, dy, g, kernels, backend);
    const tiled = g.inChannels === 1 || (g.inChannels % 4 === 0 && g.outChannels % 8 === 0);
    if (kernels && tiled) return filterGradDirect(x, dy, g, kernels, backend);
    if (kernels) return filterGradByProduct(x, dy, g, kernels, backend, maxPatchValues);
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

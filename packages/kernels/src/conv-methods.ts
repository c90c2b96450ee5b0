/**
 * How a convolution runs on our kernels: which method (the direct tile of wasm/conv.ts or Winograd F(4x4, 3x3) of
 * wasm/winograd.ts) takes a geometry, the filter each method reads (packed or transformed), and the run itself.
 * Shared by the Conv2D kernels (conv2d-forward.ts), which prepare the filter on every call, and prepared
 * convolutions (prepared-conv2d.ts), which prepare it once.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, type ConvPad, paddedGeometry, paddedInputSize } from './geometry.js';
import { heapOffset, type SimdKernels } from './simd.js';

export interface ConvAttrs {
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

/** Layouts and dtypes our kernels take (the rest go to XNNPACK). */
export function ourCase(
  x: Pick<tf.TensorInfo, 'dtype'>,
  filterShape: readonly number[],
  attrs: ConvAttrs,
): boolean {
  return (
    (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') &&
    unitDilation(attrs.dilations) &&
    (filterShape[3] as number) % 8 === 0 &&
    x.dtype === 'float32'
  );
}

export function biasFits(bias: tf.TensorInfo | undefined, outChannels: number): boolean {
  return bias === undefined || (bias.shape.length === 1 && bias.shape[0] === outChannels);
}

/** How a convolution runs on our kernels: the direct 4 x 8 tile (wasm/conv.ts) or Winograd (wasm/winograd.ts). */
export type ConvMethod = 'direct' | 'winograd';

// Read once: MRI_WINOGRAD=0 keeps every convolution and filter gradient on the direct kernels (A/B benchmarks,
// an escape hatch).
let winogradEnabled = process.env.MRI_WINOGRAD !== '0';

/** Turns Winograd on or off for the convolutions that follow: benchmarks compare both in one process. */
export function useWinograd(enabled: boolean): void {
  winogradEnabled = enabled;
}

/**
 * The layers both Winograd kernels (wasm/winograd.ts, wasm/winograd-filter-grad.ts) are written for: 3x3, stride 1,
 * input channels in groups of four (one SIMD lane group), output channels in blocks of eight (the register tile).
 * The callers check the layout (and, forward, the dilation: `ourCase`).
 */
export function winogradShape(g: ConvGeometry): boolean {
  return (
    g.filterHeight === 3 &&
    g.filterWidth === 3 &&
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.inChannels % 4 === 0 &&
    g.outChannels % 8 === 0
  );
}

/** Whether Winograd may take the layers it fits (forward, input and filter gradients). */
export function winogradAllowed(): boolean {
  return winogradEnabled;
}

/**
 * Winograd F(4x4, 3x3) for 3x3 stride-1 layers with channels our tiles take (in a multiple of 4, out of 8) and
 * enough input channels for its transforms to pay; the rest on the direct kernel. Figures: README, Winograd.
 */
export function convMethod(g: ConvGeometry): ConvMethod {
  const winograd = winogradEnabled && winogradShape(g) && g.inChannels >= WINOGRAD_MIN_IN_CHANNELS;
  return winograd ? 'winograd' : 'direct';
}

/**
 * Below this many input channels the transforms cost more than the saved products. Measured (CPU ms, fused 3x3
 * 'same' + bias + ReLU, batch 32 at 64 px, direct / Winograd): 4 -> 8 channels 3.1 / 4.0, 4 -> 16 4.1 / 4.2,
 * 8 -> 8 3.8 / 3.8, 8 -> 16 7.9 / 5.3, 16 -> 16 13.8 / 8.8; 64 -> 64 at 32 px batch 16: 26.3 / 9.7. Output size
 * needs no rule: on 2x2 and 3x3 maps (a tile mostly outside the output) Winograd still won 1.75-5.4x, the direct
 * kernel taking such narrow rows pixel by pixel.
 */
const WINOGRAD_MIN_IN_CHANNELS = 8;

/**
 * Tiles per block: the block's transformed inputs and products (36 x tiles x channels floats each) stay in the
 * core's L2 while the transformed filter streams past once per block (README, Winograd: measured).
 */
export function winogradBlockTiles(g: ConvGeometry): number {
  const perTile = 36 * 4 * (g.inChannels + g.outChannels);
  return Math.max(8, Math.floor(WINOGRAD_BLOCK_BYTES / perTile / 4) * 4);
}

// Measured 2026-12-04 on ResNet18's 3x3 layers (README, Winograd): 4 to 16 tiles per block ran within noise of
// each other and 32+ up to 1.5x slower on 64-channel layers; 256 KB gives 12 tiles at 64 channels, 8 above.
const WINOGRAD_BLOCK_BYTES = 256 * 1024;

/** Floats of a prepared filter: the direct kernel's packed blocks, or Winograd's 36 transformed matrices. */
export function preparedSize(kernels: SimdKernels, method: ConvMethod, g: ConvGeometry): number {
  if (method === 'winograd') return kernels.winogradSizes(g, 0).filter;
  return g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
}

export function prepareOnHeap(
  backend: BackendWasm,
  kernels: SimdKernels,
  method: ConvMethod,
  filter: tf.TensorInfo,
  prepared: tf.TensorInfo,
  g: ConvGeometry,
): void {
  const at = { filter: heapOffset(backend, filter) };
  if (method === 'winograd') kernels.winogradFilter({ ...at, u: heapOffset(backend, prepared) }, g);
  else kernels.packFilter({ ...at, packed: heapOffset(backend, prepared) }, g);
}

/** The convolution of x by an already prepared filter (prepareOnHeap), into a new output. */
export function convPrepared(
  backend: BackendWasm,
  kernels: SimdKernels,
  method: ConvMethod,
  x: tf.TensorInfo,
  prepared: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  g: ConvGeometry,
  relu: boolean,
): tf.TensorInfo {
  const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
  if (g.batch * g.outHeight * g.outWidth === 0) return out;
  const at = (info: tf.TensorInfo) => heapOffset(backend, info);
  const bias0 = bias === undefined ? 0 : at(bias);
  if (method === 'winograd') {
    const blockTiles = winogradBlockTiles(g);
    const sizes = kernels.winogradSizes(g, blockTiles);
    const v = backend.makeOutput([sizes.v], 'float32');
    const m = backend.makeOutput([sizes.m], 'float32');
    kernels.winogradConv(
      { x: at(x), u: at(prepared), bias: bias0, out: at(out), v: at(v), m: at(m) },
      g,
      relu,
      blockTiles,
    );
    backend.disposeData(v.dataId);
    backend.disposeData(m.dataId);
    return out;
  }
  const input = paddedInput(backend, kernels, x, g);
  kernels.conv({ x: at(input.info), packed: at(prepared), bias: bias0, out: at(out) }, input.geometry, relu);
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

import { backend_util } from '@tensorflow/tfjs-core';

/** The padding argument of a tfjs conv op: a mode, a symmetric number, or explicit NHWC pairs. */
export type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** Geometry of one 2-D convolution (NHWC, dilation 1), as the backward kernels need it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** A batch of NHWC images. */
export interface ImageGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
}

/** Zero rows and columns around an image. */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A pooling window's input and output sizes (NHWC). */
export interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
}

/** A pooling window: its size, stride and the padding before the first row and column. */
export interface PoolWindow {
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** The rows and columns a convolution reads, with its padding written out (the input `conv` expects). */
export function paddedInputSize(g: ConvGeometry): { height: number; width: number } {
  return {
    height: (g.outHeight - 1) * g.strideHeight + g.filterHeight,
    width: (g.outWidth - 1) * g.strideWidth + g.filterWidth,
  };
}

/** The same convolution over its explicitly padded input: that input's size, no padding left. */
export function paddedGeometry(g: ConvGeometry): ConvGeometry {
  const { height, width } = paddedInputSize(g);
  return { ...g, inHeight: height, inWidth: width, padTop: 0, padLeft: 0 };
}

/** Rejects the NCHW layout, which neither the wasm Conv2D kernel nor these gradients support. */
export function assertChannelsLast(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
}

/** 4x4 tiles that cover a convolution's output (Winograd's F(4x4, 3x3) and F(3x3, 4x4)). */
export function winogradTiles(g: ConvGeometry): number {
  return g.batch * Math.ceil(g.outHeight / 4) * Math.ceil(g.outWidth / 4);
}

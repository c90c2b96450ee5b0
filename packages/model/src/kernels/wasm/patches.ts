// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../patches.wasm. Build: `pnpm --filter @mri/model build:wasm`, which runs:
//   asc src/kernels/wasm/patches.ts -o src/kernels/patches.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/model; a test checks that the committed binary is exactly this build).
// Like max-pool-grad.wasm it imports the tfjs wasm backend's memory and works on tensors in place, given their
// byte offsets; it has no data segment, no stack and no allocator.

import { endInside, firstInside } from './taps';

// Transposed patches ("im2col transposed") of images first .. first+count-1 of a channels-first float32 input
// xc [channels, batch, height, width], for the filter gradient as one plain matrix product: row
// (i*kw + j)*channels + ci, column (n - first, oy, ox) holds xc[ci, n, oy*strideH + i - padTop,
// ox*strideW + j - padLeft], or 0 outside the image. The rows are in the filter's [kh, kw, c] order, so
// patches x dy[n*oh*ow, co] is dW[kh, kw, c, co]. With stride 1 every run of a row is a contiguous copy.

export function transposedPatches(
  xc: usize,
  out: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outHeight: i32,
  outWidth: i32,
  first: i32,
  count: i32,
): void {
  const planeBytes = (<usize>(height * width)) << 2;
  let dst = out;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = firstInside(j, strideW, padLeft);
      const to = endInside(j, strideW, padLeft, width, outWidth);
      for (let ci = 0; ci < channels; ci++) {
        let plane = xc + <usize>(ci * batch + first) * planeBytes;
        for (let n = 0; n < count; n++, plane += planeBytes) {
          dst = imageRuns(
            plane,
            dst,
            height,
            width,
            i - padTop,
            j - padLeft,
            from,
            to,
            strideH,
            strideW,
            outHeight,
            outWidth,
          );
        }
      }
    }
  }
}

// The outHeight runs that one image adds to a patches row, for a tap at (rowShift, colShift); returns the end.
function imageRuns(
  plane: usize,
  start: usize,
  height: i32,
  width: i32,
  rowShift: i32,
  colShift: i32,
  from: i32,
  to: i32,
  strideH: i32,
  strideW: i32,
  outHeight: i32,
  outWidth: i32,
): usize {
  let dst = start;
  for (let oy = 0; oy < outHeight; oy++) {
    const y = oy * strideH + rowShift;
    const inside = y >= 0 && y < height && from < to;
    const src = plane + ((<usize>(y * width + from * strideW + colShift)) << 2);
    patchRun(inside ? src : 0, dst, from, to, outWidth, strideW);
    dst += (<usize>outWidth) << 2;
  }
  return dst;
}

// One run of a patches row: columns [from, to) copied from src, the others zero; src 0 means a row outside the
// image, all zero.
function patchRun(src: usize, dst: usize, from: i32, to: i32, outWidth: i32, stride: i32): void {
  if (src === 0) {
    memory.fill(dst, 0, (<usize>outWidth) << 2);
    return;
  }
  for (let ox = 0; ox < from; ox++) store<f32>(dst + ((<usize>ox) << 2), 0);
  copyRun(src, dst + ((<usize>from) << 2), to - from, stride);
  for (let ox = to; ox < outWidth; ox++) store<f32>(dst + ((<usize>ox) << 2), 0);
}

function copyRun(src: usize, dst: usize, length: i32, stride: i32): void {
  let k = 0;
  if (stride === 1) {
    for (; k + 4 <= length; k += 4) v128.store(dst + ((<usize>k) << 2), v128.load(src + ((<usize>k) << 2)));
    for (; k < length; k++) store<f32>(dst + ((<usize>k) << 2), load<f32>(src + ((<usize>k) << 2)));
    return;
  }
  const step = (<usize>stride) << 2;
  for (let s = src; k < length; k++, s += step) store<f32>(dst + ((<usize>k) << 2), load<f32>(s));
}

// dW of a convolution whose input has one channel (the first layer of every network in the zoo), computed
// directly: dw[i, j, 0, co] = sum over n, oy, ox of x[n, oy*strideH + i - padTop, ox*strideW + j - padLeft] *
// dy[n, oy, ox, co]. With one input channel the patches are tiny and a matrix product would spend its time
// packing dy; here each tap keeps 16 output channels in four SIMD accumulators over one output row, whose dy
// (a few kB) stays in L1 across the taps.
export function filterGradOneChannel(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  height: i32,
  width: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
): void {
  memory.fill(dw, 0, (<usize>(kh * kw * outChannels)) << 2);
  const pixelBytes = (<usize>outChannels) << 2;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const dyRow = dy + <usize>((n * outHeight + oy) * outWidth) * pixelBytes;
      for (let i = 0; i < kh; i++) {
        const y = oy * strideH + i - padTop;
        if (y < 0 || y >= height) continue;
        const xRow = x + ((<usize>((n * height + y) * width)) << 2);
        for (let j = 0; j < kw; j++) {
          const from = firstInside(j, strideW, padLeft);
          const to = endInside(j, strideW, padLeft, width, outWidth);
          if (to <= from) continue;
          const xStart = xRow + ((<usize>(from * strideW + j - padLeft)) << 2);
          const tap = dw + <usize>(i * kw + j) * pixelBytes;
          accumulateTap(tap, xStart, dyRow + <usize>from * pixelBytes, to - from, strideW, outChannels);
        }
      }
    }
  }
}

// tap[c] += sum over k < length of x[k * stride] * dy[k, c], for every output channel c.
function accumulateTap(tap: usize, x: usize, dy: usize, length: i32, stride: i32, channels: i32): void {
  const pixelBytes = (<usize>channels) << 2;
  const stepBytes = (<usize>stride) << 2;
  const blocked = channels & ~15;
  for (let c = 0; c < blocked; c += 16) {
    const offset = (<usize>c) << 2;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let src = x;
    let g = dy + offset;
    for (let k = 0; k < length; k++, src += stepBytes, g += pixelBytes) {
      const s = f32x4.splat(load<f32>(src));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(g)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(g, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(g, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(g, 48)));
    }
    const w = tap + offset;
    v128.store(w, f32x4.add(v128.load(w), a0));
    v128.store(w, f32x4.add(v128.load(w, 16), a1), 16);
    v128.store(w, f32x4.add(v128.load(w, 32), a2), 32);
    v128.store(w, f32x4.add(v128.load(w, 48), a3), 48);
  }
  for (let c = blocked; c < channels; c++) {
    let sum: f32 = 0;
    let src = x;
    let g = dy + ((<usize>c) << 2);
    for (let k = 0; k < length; k++, src += stepBytes, g += pixelBytes) sum += load<f32>(src) * load<f32>(g);
    const w = tap + ((<usize>c) << 2);
    store<f32>(w, load<f32>(w) + sum);
  }
}

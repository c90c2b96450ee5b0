// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../patches.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/patches.ts -o src/patches.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
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

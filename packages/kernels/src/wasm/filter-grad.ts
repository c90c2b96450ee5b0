// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../filter-grad.wasm and ../filter-grad.fma.wasm, built like conv.ts (see there).
// dW of a convolution straight from x and dy, with no patches matrix and no packed copy of dy:
// dw[i, j, c, o] = sum over n, oy, ox of x[n, oy*strideH + i - padTop, ox*strideW + j - padLeft, c] * dy[n, oy, ox, o].
// A tile of four input channels by eight output channels of one tap lives in eight SIMD accumulators while the
// pixels of a few output rows stream by: one load of x and two of dy feed 32 multiply-adds. The rows are taken a
// chunk at a time so that their x and dy stay in cache across all the tiles; dw (at most a few hundred kB) is
// re-read once per chunk.

import { madd } from './madd';
import { endInside, firstInside } from './taps';

// channels a multiple of 4 and outChannels of 8, or channels 1 (and any outChannels); rowsPerChunk output rows are
// summed per pass over the tiles.
export function filterGrad(
  x: usize,
  dy: usize,
  dw: usize,
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
  outChannels: i32,
  rowsPerChunk: i32,
): void {
  if (channels === 1) {
    filterGradOneChannel(
      x,
      dy,
      dw,
      batch,
      height,
      width,
      kh,
      kw,
      strideH,
      strideW,
      padTop,
      padLeft,
      outHeight,
      outWidth,
      outChannels,
    );
    return;
  }
  memory.fill(dw, 0, (<usize>(kh * kw * channels * outChannels)) << 2);
  const xRowStep = (<usize>(strideH * width * channels)) << 2;
  const xStep = (<usize>(strideW * channels)) << 2;
  const dyRowStep = (<usize>(outWidth * outChannels)) << 2;
  for (let n = 0; n < batch; n++) {
    for (let first = 0; first < outHeight; first += rowsPerChunk) {
      const end = min(outHeight, first + rowsPerChunk);
      for (let i = 0; i < kh; i++) {
        // Output rows of the chunk whose input row for filter row i lies inside the image.
        const lo = max(first, firstInside(i, strideH, padTop));
        const hi = min(end, endInside(i, strideH, padTop, height, outHeight));
        for (let j = 0; lo < hi && j < kw; j++) {
          const from = firstInside(j, strideW, padLeft);
          const to = endInside(j, strideW, padLeft, width, outWidth);
          if (to <= from) continue;
          const tap = dw + ((<usize>((i * kw + j) * channels * outChannels)) << 2);
          const y = lo * strideH + i - padTop;
          const x0 =
            x + ((<usize>(((n * height + y) * width + from * strideW + j - padLeft) * channels)) << 2);
          const dy0 = dy + ((<usize>(((n * outHeight + lo) * outWidth + from) * outChannels)) << 2);
          tapGrad(tap, x0, dy0, hi - lo, to - from, channels, outChannels, xRowStep, xStep, dyRowStep);
        }
      }
    }
  }
}

// tap[c, o] += sum over `rows` rows and `columns` pixels of x[.., c] * dy[.., o], for every 4 x 8 tile.
function tapGrad(
  tap: usize,
  x: usize,
  dy: usize,
  rows: i32,
  columns: i32,
  channels: i32,
  outChannels: i32,
  xRowStep: usize,
  xStep: usize,
  dyRowStep: usize,
): void {
  const wRow = (<usize>outChannels) << 2;
  const dyStep = wRow;
  for (let c = 0; c < channels; c += 4) {
    for (let o = 0; o < outChannels; o += 8) {
      const w = tap + ((<usize>(c * outChannels + o)) << 2);
      let a0 = v128.load(w),
        b0 = v128.load(w, 16);
      let a1 = v128.load(w + wRow),
        b1 = v128.load(w + wRow, 16);
      let a2 = v128.load(w + 2 * wRow),
        b2 = v128.load(w + 2 * wRow, 16);
      let a3 = v128.load(w + 3 * wRow),
        b3 = v128.load(w + 3 * wRow, 16);
      let xRow = x + ((<usize>c) << 2);
      let dyRow = dy + ((<usize>o) << 2);
      for (let r = 0; r < rows; r++, xRow += xRowStep, dyRow += dyRowStep) {
        let xp = xRow;
        let gp = dyRow;
        for (let k = 0; k < columns; k++, xp += xStep, gp += dyStep) {
          const xv = v128.load(xp);
          const g0 = v128.load(gp);
          const g1 = v128.load(gp, 16);
          let s = v128.shuffle<f32>(xv, xv, 0, 0, 0, 0);
          a0 = madd(s, g0, a0);
          b0 = madd(s, g1, b0);
          s = v128.shuffle<f32>(xv, xv, 1, 1, 1, 1);
          a1 = madd(s, g0, a1);
          b1 = madd(s, g1, b1);
          s = v128.shuffle<f32>(xv, xv, 2, 2, 2, 2);
          a2 = madd(s, g0, a2);
          b2 = madd(s, g1, b2);
          s = v128.shuffle<f32>(xv, xv, 3, 3, 3, 3);
          a3 = madd(s, g0, a3);
          b3 = madd(s, g1, b3);
        }
      }
      v128.store(w, a0);
      v128.store(w, b0, 16);
      v128.store(w + wRow, a1);
      v128.store(w + wRow, b1, 16);
      v128.store(w + 2 * wRow, a2);
      v128.store(w + 2 * wRow, b2, 16);
      v128.store(w + 3 * wRow, a3);
      v128.store(w + 3 * wRow, b3, 16);
    }
  }
}

// dW of a convolution whose input has one channel (the first layer of every network in the zoo), computed
// directly: dw[i, j, 0, co] = sum over n, oy, ox of x[n, oy*strideH + i - padTop, ox*strideW + j - padLeft] *
// dy[n, oy, ox, co]. With one input channel the patches are tiny and a matrix product would spend its time
// packing dy; here each tap keeps 16 output channels in four SIMD accumulators over one output row, whose dy
// (a few kB) stays in L1 across the taps. Any number of output channels.
function filterGradOneChannel(
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

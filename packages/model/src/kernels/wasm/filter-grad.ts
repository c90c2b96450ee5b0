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

// channels a multiple of 4, outChannels of 8; rowsPerChunk output rows are summed per pass over the tiles.
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

// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../relu-grad.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/relu-grad.ts -o src/relu-grad.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
// Works in place on the tfjs wasm heap like the other kernels; the caller passes a scratch area of 3 * channels
// floats.

import { addBlockToTotals, BLOCK, blockOf, clearBlock, clearTotals, writeTotals } from './block-sums';
import { routeWindowRow } from './pool-window';

// The backward pass of relu(conv + bias) up to the convolution, in one pass over [rows, channels]: dz = dy where
// the layer's output y is positive and 0 elsewhere, and biasGrad[c] = sum over rows of dz[r, c]. tfjs takes three
// passes and two temporaries (step, multiply, sum). The sums are blocked as block-sums.ts says.
export function reluGradWithBiasSum(
  dy: usize,
  y: usize,
  dz: usize,
  rows: i32,
  channels: i32,
  scratch: usize,
  biasGrad: usize,
): void {
  const block = blockOf(scratch, channels);
  clearTotals(scratch, channels);
  const rowBytes = (<usize>channels) << 2;
  const vectorEnd = channels & ~3;
  const zero = f32x4.splat(0);
  for (let start = 0; start < rows; start += BLOCK) {
    clearBlock(scratch, channels);
    const end = min(rows, start + BLOCK);
    for (let r = start; r < end; r++) {
      const at = <usize>r * rowBytes;
      let c = 0;
      for (; c < vectorEnd; c += 4) {
        const o = (<usize>c) << 2;
        const g = v128.and(v128.load(dy + at + o), f32x4.gt(v128.load(y + at + o), zero));
        v128.store(dz + at + o, g);
        v128.store(block + o, f32x4.add(v128.load(block + o), g));
      }
      for (; c < channels; c++) {
        const o = (<usize>c) << 2;
        const g: f32 = load<f32>(y + at + o) > 0 ? load<f32>(dy + at + o) : 0;
        store<f32>(dz + at + o, g);
        store<f32>(block + o, load<f32>(block + o) + g);
      }
    }
    addBlockToTotals(scratch, channels);
  }
  writeTotals(scratch, channels, biasGrad);
}

// The backward pass of maxPool2x2(relu(conv + bias)) up to the convolution, in one pass: for each 2x2 window
// (stride 2, no padding; rows and columns no window covers get 0), dz = dp at the window's first maximum of y
// (strict >, as max-pool-grad.ts routes it) when that maximum is positive, 0 elsewhere; and biasGrad as
// reluGradWithBiasSum sums it. dz and biasGrad are bit for bit what maxPoolGrad2x2 followed by reluGradWithBiasSum
// give (y >= 0, so the ReLU mask at the routed element is `maximum > 0`), without the pool gradient's full-size
// temporary and with one pass over y instead of three full-size passes. The sums run in the same pixel order and
// BLOCK boundaries as reluGradWithBiasSum: each window row's two rows of dz are summed right after they are
// written, while they are in cache.
export function poolReluGradWithBiasSum(
  dp: usize,
  y: usize,
  dz: usize,
  batch: i32,
  inHeight: i32,
  inWidth: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  scratch: usize,
  biasGrad: usize,
): void {
  clearTotals(scratch, channels);
  clearBlock(scratch, channels);
  const rowBytes = (<usize>(inWidth * channels)) << 2;
  let g = dp;
  let inBlock = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < inHeight; h += 2) {
      const top = <usize>(n * inHeight + h) * rowBytes;
      const rows = min(2, inHeight - h);
      if (h >> 1 < outHeight) {
        g = windowRow(g, y, dz, top, inWidth, channels, outWidth);
      } else {
        memory.fill(dz + top, 0, <usize>rows * rowBytes);
      }
      inBlock = sumRows(dz + top, rows * inWidth, channels, scratch, inBlock);
    }
  }
  if (inBlock > 0) addBlockToTotals(scratch, channels);
  writeTotals(scratch, channels, biasGrad);
}

// dz for the two rows of y from byte offset `top` (one row of 2x2 windows), from the pooled gradient at `dp`;
// returns where the next window row's pooled gradient starts.
function windowRow(
  dp: usize,
  y: usize,
  dz: usize,
  top: usize,
  inWidth: i32,
  channels: i32,
  outWidth: i32,
): usize {
  const g = routeWindowRow(dp, y, dz, top, inWidth, channels, outWidth, true);
  // A last column no window covers (odd width).
  const rowBytes = (<usize>(inWidth * channels)) << 2;
  const covered = <usize>(outWidth << 1) * ((<usize>channels) << 2);
  if (covered < rowBytes) {
    memory.fill(dz + top + covered, 0, rowBytes - covered);
    memory.fill(dz + top + rowBytes + covered, 0, rowBytes - covered);
  }
  return g;
}

// Adds `pixels` rows of dz (channels each) into the block sums, flushing a full block of BLOCK rows into the
// totals exactly where reluGradWithBiasSum's loop does. Returns the rows now in the open block.
function sumRows(at: usize, pixels: i32, channels: i32, scratch: usize, open: i32): i32 {
  let inBlock = open;
  const block = blockOf(scratch, channels);
  const rowBytes = (<usize>channels) << 2;
  const vectorEnd = channels & ~3;
  for (let p = 0; p < pixels; p++) {
    const row = at + <usize>p * rowBytes;
    let c = 0;
    for (; c < vectorEnd; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(block + o, f32x4.add(v128.load(block + o), v128.load(row + o)));
    }
    for (; c < channels; c++) {
      const o = (<usize>c) << 2;
      store<f32>(block + o, load<f32>(block + o) + load<f32>(row + o));
    }
    if (++inBlock === BLOCK) {
      addBlockToTotals(scratch, channels);
      clearBlock(scratch, channels);
      inBlock = 0;
    }
  }
  return inBlock;
}

// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../relu-grad.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/relu-grad.ts -o src/relu-grad.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
// Works in place on the tfjs wasm heap like the other kernels; the caller passes a scratch area of 3 * channels
// floats.

import { addBlockToTotals, BLOCK, blockOf, clearBlock, clearTotals, writeTotals } from './block-sums';

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

// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../batch-norm.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/batch-norm.ts -o src/batch-norm.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
// Like the other kernels it works in place on the tfjs wasm heap, given byte offsets, with no allocator: the
// caller passes a scratch area of 3 * channels floats.

// Batch normalisation in training, over a channels-last tensor seen as [rows, channels]: per-channel sums in
// three passes at most per direction, where tfjs' moments, batchNorm and their gradients take ten or more.
// Sums are blocked as block-sums.ts says.
import { addBlockToTotals, BLOCK, blockOf, clearBlock, clearTotals, writeTotals } from './block-sums';

// out[c] = sum over rows of (a[r, c] - shiftA[c]) * (b[r, c] - shiftB[c]); with b = 0 (pass 0 as the pointer)
// it is the plain sum of a - shiftA. shiftA and shiftB are channel arrays (pointers), or 0 for none.
export function channelSums(
  a: usize,
  b: usize,
  shiftA: usize,
  shiftB: usize,
  rows: i32,
  channels: i32,
  scratch: usize,
  out: usize,
): void {
  const block = blockOf(scratch, channels);
  clearTotals(scratch, channels);
  const rowBytes = (<usize>channels) << 2;
  for (let start = 0; start < rows; start += BLOCK) {
    clearBlock(scratch, channels);
    const end = min(rows, start + BLOCK);
    for (let r = start; r < end; r++) {
      const at = <usize>r * rowBytes;
      accumulateRow(a + at, b === 0 ? 0 : b + at, shiftA, shiftB, channels, block);
    }
    addBlockToTotals(scratch, channels);
  }
  writeTotals(scratch, channels, out);
}

function accumulateRow(a: usize, b: usize, shiftA: usize, shiftB: usize, channels: i32, block: usize): void {
  const vectorEnd = channels & ~3;
  let c = 0;
  for (; c < vectorEnd; c += 4) {
    const o = (<usize>c) << 2;
    let va = v128.load(a + o);
    if (shiftA !== 0) va = f32x4.sub(va, v128.load(shiftA + o));
    if (b !== 0) {
      let vb = v128.load(b + o);
      if (shiftB !== 0) vb = f32x4.sub(vb, v128.load(shiftB + o));
      va = f32x4.mul(va, vb);
    }
    v128.store(block + o, f32x4.add(v128.load(block + o), va));
  }
  for (; c < channels; c++) {
    const o = (<usize>c) << 2;
    let va = load<f32>(a + o);
    if (shiftA !== 0) va -= load<f32>(shiftA + o);
    if (b !== 0) {
      let vb = load<f32>(b + o);
      if (shiftB !== 0) vb -= load<f32>(shiftB + o);
      va *= vb;
    }
    store<f32>(block + o, load<f32>(block + o) + va);
  }
}

// out[r, c] = a[r, c] * ka[c] + b[r, c] * kb[c] + k0[c]; b = 0 leaves that term out (then kb is unused).
export function channelAffine(
  a: usize,
  b: usize,
  ka: usize,
  kb: usize,
  k0: usize,
  rows: i32,
  channels: i32,
  out: usize,
): void {
  const rowBytes = (<usize>channels) << 2;
  const vectorEnd = channels & ~3;
  for (let r = 0; r < rows; r++) {
    const at = <usize>r * rowBytes;
    let c = 0;
    for (; c < vectorEnd; c += 4) {
      const o = (<usize>c) << 2;
      let v = f32x4.add(f32x4.mul(v128.load(a + at + o), v128.load(ka + o)), v128.load(k0 + o));
      if (b !== 0) v = f32x4.add(v, f32x4.mul(v128.load(b + at + o), v128.load(kb + o)));
      v128.store(out + at + o, v);
    }
    for (; c < channels; c++) {
      const o = (<usize>c) << 2;
      let v = load<f32>(a + at + o) * load<f32>(ka + o) + load<f32>(k0 + o);
      if (b !== 0) v += load<f32>(b + at + o) * load<f32>(kb + o);
      store<f32>(out + at + o, v);
    }
  }
}

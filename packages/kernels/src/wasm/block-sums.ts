// @ts-nocheck: AssemblyScript (usize, load/store), compiled by asc as part of batch-norm.ts and relu-grad.ts.
// Per-channel sums that stay accurate over any number of rows: rows add into float32 lanes for a block of BLOCK
// rows, and each block's sums then into float64 totals, so the rounding error does not grow with the row count.
// The caller's scratch holds the float64 totals (channels * 8 bytes), then the float32 block (channels * 4).

export const BLOCK = 256;

export function blockOf(scratch: usize, channels: i32): usize {
  return scratch + ((<usize>channels) << 3);
}

export function clearTotals(scratch: usize, channels: i32): void {
  memory.fill(scratch, 0, (<usize>channels) << 3);
}

export function clearBlock(scratch: usize, channels: i32): void {
  memory.fill(blockOf(scratch, channels), 0, (<usize>channels) << 2);
}

export function addBlockToTotals(scratch: usize, channels: i32): void {
  const block = blockOf(scratch, channels);
  for (let c = 0; c < channels; c++) {
    const t = scratch + ((<usize>c) << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(block + ((<usize>c) << 2)));
  }
}

export function writeTotals(scratch: usize, channels: i32, out: usize): void {
  for (let c = 0; c < channels; c++) {
    store<f32>(out + ((<usize>c) << 2), <f32>load<f64>(scratch + ((<usize>c) << 3)));
  }
}

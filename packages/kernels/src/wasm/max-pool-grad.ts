// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../max-pool-grad.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which runs:
//   asc src/wasm/max-pool-grad.ts -o src/max-pool-grad.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
// (in packages/kernels; a test checks that the committed binary is exactly this build).
// The module imports the tfjs wasm backend's own memory and works on tensors in place, given their byte
// offsets: it has no data segment, no stack and no allocator, so it never writes outside the output tensor.

import { routeWindowRow } from './pool-window';

// MaxPoolGrad for 2x2 windows with stride 2 and no padding (NHWC, float32): each window writes dy to its
// first maximum in row-major order (strict >, so NaN and -Infinity never win) and 0 to its other three
// elements (pool-window.ts, shared with the fused pool + ReLU gradient of relu-grad.ts).
export function maxPoolGrad2x2(
  dy: usize,
  x: usize,
  dx: usize,
  batch: i32,
  inHeight: i32,
  inWidth: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
): void {
  const rowBytes = (<usize>(inWidth * channels)) << 2;
  let g = dy;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const corner = <usize>(n * inHeight + oh * 2) * rowBytes;
      g = routeWindowRow(g, x, dx, corner, inWidth, channels, outWidth, false);
    }
  }
}

// Any window, stride and padding (ResNet's 3x3/2 'same' stem pool): for each window, four channels at a time
// keep their running maximum and its element index in two vectors (strict >, so the first maximum in row-major
// order wins and NaN or -Infinity never does, like the cpu kernel); then each lane's dy is added to dx at its
// index (windows overlap, so the adds are scalar, in the cpu kernel's order). Positions outside the input are
// skipped. dx is cleared first.
export function maxPoolGradWindows(
  dy: usize,
  x: usize,
  dx: usize,
  batch: i32,
  inHeight: i32,
  inWidth: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  filterHeight: i32,
  filterWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dx, 0, (<usize>(batch * inHeight * inWidth * channels)) << 2);
  const vectorEnd = channels & ~3;
  let dyAt = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = max(oh * strideHeight - padTop, 0);
      const r1 = min(oh * strideHeight - padTop + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, dyAt += channels) {
        const c0 = max(ow * strideWidth - padLeft, 0);
        const c1 = min(ow * strideWidth - padLeft + filterWidth, inWidth);
        const corner = ((n * inHeight + r0) * inWidth + c0) * channels;
        const window = ((r1 - r0) << 16) | (c1 - c0);
        let c = 0;
        for (; c < vectorEnd; c += 4)
          routeWindow4(dy, x, dx, dyAt + c, corner + c, window, inWidth, channels);
        for (; c < channels; c++) routeWindow1(dy, x, dx, dyAt + c, corner + c, window, inWidth, channels);
      }
    }
  }
}

// Four channels of one window: `corner` is the element index of its top-left value, `window` its rows << 16 |
// columns (inside the input).
function routeWindow4(
  dy: usize,
  x: usize,
  dx: usize,
  from: i32,
  corner: i32,
  window: i32,
  inWidth: i32,
  channels: i32,
): void {
  const lanes = i32x4(0, 1, 2, 3);
  const rows = window >> 16;
  const cols = window & 0xffff;
  let best = f32x4.splat(-Infinity);
  let bestAt = i32x4.splat(-1);
  for (let r = 0; r < rows; r++) {
    for (let col = 0, at = corner + r * inWidth * channels; col < cols; col++, at += channels) {
      const v = v128.load(x + ((<usize>at) << 2));
      const greater = f32x4.gt(v, best);
      best = v128.bitselect(v, best, greater);
      bestAt = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), bestAt, greater);
    }
  }
  route(dy, dx, from, i32x4.extract_lane(bestAt, 0));
  route(dy, dx, from + 1, i32x4.extract_lane(bestAt, 1));
  route(dy, dx, from + 2, i32x4.extract_lane(bestAt, 2));
  route(dy, dx, from + 3, i32x4.extract_lane(bestAt, 3));
}

// One channel of a window (the channels left over after the vectors).
function routeWindow1(
  dy: usize,
  x: usize,
  dx: usize,
  from: i32,
  corner: i32,
  window: i32,
  inWidth: i32,
  channels: i32,
): void {
  const rows = window >> 16;
  const cols = window & 0xffff;
  let best: f32 = -Infinity;
  let bestAt = -1;
  for (let r = 0; r < rows; r++) {
    for (let col = 0, at = corner + r * inWidth * channels; col < cols; col++, at += channels) {
      const v = load<f32>(x + ((<usize>at) << 2));
      if (v > best) {
        best = v;
        bestAt = at;
      }
    }
  }
  route(dy, dx, from, bestAt);
}

// dx[at] += dy[from], unless the window had no maximum (at -1).
function route(dy: usize, dx: usize, from: i32, at: i32): void {
  if (at < 0) return;
  const p = dx + ((<usize>at) << 2);
  store<f32>(p, load<f32>(p) + load<f32>(dy + ((<usize>from) << 2)));
}

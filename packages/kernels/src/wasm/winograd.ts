// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../winograd.wasm and ../winograd.fma.wasm (built like conv.ts: plain SIMD and relaxed
// SIMD, scripts/build-wasm.mjs). A 3x3 stride-1 convolution (NHWC, dilation 1) by Winograd F(4x4, 3x3) (Lavin &
// Gray 2016, interpolation points 0, +-1, +-2, inf): each 4x4 output tile is A^T [(G g G^T) . (B^T d B)] A of the
// 6x6 input window d under it, so one (input channel, output channel) pair costs 36 multiplies per tile instead of
// the direct convolution's 144. The elementwise products summed over input channels are 36 matrix products
// M[xi] = V[xi] (tiles x ci) . U[xi] (ci x co), which run on the same 4 x 8 register tile as conv.ts's tile4.
//
// Layouts (floats): U [36][co / 8][ci][8] (the transformed filter, 8-channel blocks read sequentially by the
// product); V [36][tiles][ci] and M [36][tiles][co] (one block of tiles; tiles ordered n, tileRow, tileCol).

import { madd } from './madd';
import { bTransposed6 } from './winograd-input';

// Floats between consecutive matrices of U, V and M beyond their contents. Unpadded, the 36 matrices of a deep
// layer lie a power of two apart (3x3x512x512: 1 MB), so the transforms' 36 streams all map to the same cache
// sets and evict each other; one cache line more per matrix spreads them.
const PLANE_PAD: i32 = 16;

function planeFloats(rows: i32, columns: i32): i32 {
  return rows * columns + PLANE_PAD;
}

/** Floats of U for a ci x co filter (36 padded matrices). */
export function winogradFilterFloats(ci: i32, co: i32): i32 {
  return 36 * planeFloats(ci, co);
}

/** Floats of one scratch buffer (V or M) for a block of blockTiles tiles of `channels` each. */
export function winogradScratchFloats(blockTiles: i32, channels: i32): i32 {
  return 36 * planeFloats((blockTiles + 3) & ~3, channels);
}

// W [3, 3, ci, co] into U: G g G^T for every (ci, co), four output channels per SIMD lane group. G's rows:
// [1/4, 0, 0], [-1/6, -1/6, -1/6], [-1/6, 1/6, -1/6], [1/24, 1/12, 1/6], [1/24, -1/12, 1/6], [0, 0, 1].
export function winogradFilter(w: usize, u: usize, ci: i32, co: i32): void {
  const tap = (<usize>(ci * co)) << 2; // bytes between the 9 taps of one (ci, co)
  const xiStride = (<usize>planeFloats(ci, co)) << 2; // bytes between the 36 matrices of U
  const q = f32x4.splat(0.25);
  const s6 = f32x4.splat(1.0 / 6.0);
  const s12 = f32x4.splat(1.0 / 12.0);
  const s24 = f32x4.splat(1.0 / 24.0);
  // Output-channel blocks outermost: each of U's 36 matrices is then written sequentially (input channels in
  // order), where input channels outermost jumped 16 KB per block in every matrix (a TLB miss per store: 46 ms for a
  // 3x3x512x512 filter against 4 in this order).
  for (let o8 = 0; o8 < co; o8 += 8) {
    for (let c = 0; c < ci; c++) {
      for (let o = o8; o < o8 + 8; o += 4) {
        const src = w + ((<usize>(c * co + o)) << 2);
        // G g: 6 rows x 3 columns, column by column, stored at U[row * 6 + column] (read back below).
        for (let j = 0; j < 3; j++) {
          const g0 = v128.load(src + <usize>j * tap);
          const g1 = v128.load(src + <usize>(3 + j) * tap);
          const g2 = v128.load(src + <usize>(6 + j) * tap);
          const sum02 = f32x4.add(g0, g2);
          const a = f32x4.add(f32x4.mul(g0, s24), f32x4.mul(g2, s6));
          const b = f32x4.mul(g1, s12);
          store6(
            u,
            xiStride,
            j,
            f32x4.mul(g0, q),
            f32x4.neg(f32x4.mul(f32x4.add(sum02, g1), s6)),
            f32x4.neg(f32x4.mul(f32x4.sub(sum02, g1), s6)),
            f32x4.add(a, b),
            f32x4.sub(a, b),
            g2,
            ((<usize>((o >> 3) * ci + c)) << 5) + ((<usize>(o & 7)) << 2),
          );
        }
        // (G g) G^T: each of the 6 rows of G g (3 values, now at xi = row * 6 + 0..2) into 6 values.
        const at = ((<usize>((o >> 3) * ci + c)) << 5) + ((<usize>(o & 7)) << 2);
        for (let r = 0; r < 6; r++) {
          const row = u + at + <usize>(r * 6) * xiStride;
          const g0 = v128.load(row);
          const g1 = v128.load(row + xiStride);
          const g2 = v128.load(row + 2 * xiStride);
          const sum02 = f32x4.add(g0, g2);
          const a = f32x4.add(f32x4.mul(g0, s24), f32x4.mul(g2, s6));
          const b = f32x4.mul(g1, s12);
          v128.store(row, f32x4.mul(g0, q));
          v128.store(row + xiStride, f32x4.neg(f32x4.mul(f32x4.add(sum02, g1), s6)));
          v128.store(row + 2 * xiStride, f32x4.neg(f32x4.mul(f32x4.sub(sum02, g1), s6)));
          v128.store(row + 3 * xiStride, f32x4.add(a, b));
          v128.store(row + 4 * xiStride, f32x4.sub(a, b));
          v128.store(row + 5 * xiStride, g2);
        }
      }
    }
  }
}

// The six rows of G g's column j, stored at U[row * 6 + j] (the second pass reads them back row by row).
function store6(
  u: usize,
  xiStride: usize,
  j: i32,
  r0: v128,
  r1: v128,
  r2: v128,
  r3: v128,
  r4: v128,
  r5: v128,
  at: usize,
): void {
  const p = u + at + <usize>j * xiStride;
  const rowStep = xiStride * 6;
  v128.store(p, r0);
  v128.store(p + rowStep, r1);
  v128.store(p + 2 * rowStep, r2);
  v128.store(p + 3 * rowStep, r3);
  v128.store(p + 4 * rowStep, r4);
  v128.store(p + 5 * rowStep, r5);
}

// Four channels of the input pixel at p, or zeros where its row y or its column lies outside the image.
function pixelOrZero(p: usize, inColumn: bool, y: i32, height: i32): v128 {
  return inColumn && y >= 0 && y < height ? v128.load(p) : f32x4.splat(0);
}

// One tile's 6x6 window (top-left input pixel y0, x0, which may lie outside the image: zeros there) of four
// channels at x + c into V[xi][t][c..c+4] for all 36 xi: B^T d column by column into V itself, then each row of
// that times B, in place.
function inputTile(
  x: usize,
  v: usize,
  height: i32,
  width: i32,
  ci: i32,
  y0: i32,
  x0: i32,
  xiStride: usize,
): void {
  const pixel = (<usize>ci) << 2;
  const row = <usize>width * pixel;
  const base = x + <usize>(y0 * width + x0) * pixel; // wraps when outside; read only where in bounds
  for (let j = 0; j < 6; j++) {
    const col = base + <usize>j * pixel;
    const xj = x0 + j;
    const inColumn = xj >= 0 && xj < width;
    const d0 = pixelOrZero(col, inColumn, y0, height);
    const d1 = pixelOrZero(col + row, inColumn, y0 + 1, height);
    const d2 = pixelOrZero(col + 2 * row, inColumn, y0 + 2, height);
    const d3 = pixelOrZero(col + 3 * row, inColumn, y0 + 3, height);
    const d4 = pixelOrZero(col + 4 * row, inColumn, y0 + 4, height);
    const d5 = pixelOrZero(col + 5 * row, inColumn, y0 + 5, height);
    // Column j of B^T d: its rows i go to xi = i * 6 + j.
    bTransposed6(d0, d1, d2, d3, d4, d5, v + <usize>j * xiStride, xiStride * 6);
  }
  for (let i = 0; i < 6; i++) {
    const p = v + <usize>(i * 6) * xiStride;
    bTransposed6(
      v128.load(p),
      v128.load(p + xiStride),
      v128.load(p + 2 * xiStride),
      v128.load(p + 3 * xiStride),
      v128.load(p + 4 * xiStride),
      v128.load(p + 5 * xiStride),
      p,
      xiStride,
    );
  }
}

// A^T's rows, [1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1], each applied
// to six vectors m0..m5 given as m0, m5 and the sums and differences of (m1, m2) and (m3, m4); asc inlines them.
// The column pass stores its outputs back into M, the row pass adds bias and ReLU and writes the output's pixels.
function aRow0(m0: v128, s12: v128, s34: v128): v128 {
  return f32x4.add(f32x4.add(m0, s12), s34);
}

function aRow1(d12: v128, d34: v128): v128 {
  return f32x4.add(d12, f32x4.mul(d34, f32x4.splat(2)));
}

function aRow2(s12: v128, s34: v128): v128 {
  return f32x4.add(s12, f32x4.mul(s34, f32x4.splat(4)));
}

function aRow3(d12: v128, d34: v128, m5: v128): v128 {
  return f32x4.add(f32x4.add(d12, f32x4.mul(d34, f32x4.splat(8))), m5);
}

// A^T applied to six vectors (one column of a transformed tile): four outputs, stored at p + k * step.
function outputColumn(
  m0: v128,
  m1: v128,
  m2: v128,
  m3: v128,
  m4: v128,
  m5: v128,
  p: usize,
  step: usize,
): void {
  const s12 = f32x4.add(m1, m2);
  const d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  v128.store(p, aRow0(m0, s12, s34));
  v128.store(p + step, aRow1(d12, d34));
  v128.store(p + 2 * step, aRow2(s12, s34));
  v128.store(p + 3 * step, aRow3(d12, d34, m5));
}

function finish(acc: v128, bias: v128, relu: i32): v128 {
  const y = f32x4.add(acc, bias);
  return relu ? f32x4.max(y, f32x4.splat(0)) : y;
}

// One tile's M[xi][t][c..c+4] (36 xi) into its 4x4 output pixels (oy0, ox0) of four channels, + bias, ReLU;
// pixels past the output's last row or column are dropped. The column pass overwrites M in place.
function outputTile(
  m: usize,
  out: usize,
  bias: v128,
  relu: i32,
  outHeight: i32,
  outWidth: i32,
  co: i32,
  oy0: i32,
  ox0: i32,
  xiStride: usize,
): void {
  for (let j = 0; j < 6; j++) {
    const p = m + <usize>j * xiStride;
    const step = xiStride * 6;
    outputColumn(
      v128.load(p),
      v128.load(p + step),
      v128.load(p + 2 * step),
      v128.load(p + 3 * step),
      v128.load(p + 4 * step),
      v128.load(p + 5 * step),
      p,
      step,
    );
  }
  const pixel = (<usize>co) << 2;
  const rows = min(4, outHeight - oy0);
  const cols = min(4, outWidth - ox0);
  for (let i = 0; i < rows; i++) {
    const p = m + <usize>(i * 6) * xiStride;
    const m0 = v128.load(p);
    const m1 = v128.load(p + xiStride);
    const m2 = v128.load(p + 2 * xiStride);
    const m3 = v128.load(p + 3 * xiStride);
    const m4 = v128.load(p + 4 * xiStride);
    const m5 = v128.load(p + 5 * xiStride);
    const s12 = f32x4.add(m1, m2);
    const d12 = f32x4.sub(m1, m2);
    const s34 = f32x4.add(m3, m4);
    const d34 = f32x4.sub(m3, m4);
    const dst = out + <usize>((oy0 + i) * outWidth + ox0) * pixel;
    v128.store(dst, finish(aRow0(m0, s12, s34), bias, relu));
    if (cols > 1) v128.store(dst + pixel, finish(aRow1(d12, d34), bias, relu));
    if (cols > 2) v128.store(dst + 2 * pixel, finish(aRow2(s12, s34), bias, relu));
    if (cols > 3) v128.store(dst + 3 * pixel, finish(aRow3(d12, d34, m5), bias, relu));
  }
}

// M[xi][t0..t0+4][ob*8..+8] = V[xi][t0..t0+4][:] . U[xi][ob]: four tiles by eight channels in eight accumulators.
function product4(v: usize, u: usize, m: usize, ci: i32, vTile: usize, mTile: usize): void {
  let a0 = f32x4.splat(0),
    b0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    b1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    b2 = f32x4.splat(0),
    a3 = f32x4.splat(0),
    b3 = f32x4.splat(0);
  let p = v;
  const end = v + ((<usize>ci) << 2);
  let w = u;
  for (; p < end; p += 4, w += 32) {
    const w0 = v128.load(w);
    const w1 = v128.load(w, 16);
    let s = v128.load32_splat(p);
    a0 = madd(s, w0, a0);
    b0 = madd(s, w1, b0);
    s = v128.load32_splat(p + vTile);
    a1 = madd(s, w0, a1);
    b1 = madd(s, w1, b1);
    s = v128.load32_splat(p + 2 * vTile);
    a2 = madd(s, w0, a2);
    b2 = madd(s, w1, b2);
    s = v128.load32_splat(p + 3 * vTile);
    a3 = madd(s, w0, a3);
    b3 = madd(s, w1, b3);
  }
  v128.store(m, a0);
  v128.store(m, b0, 16);
  v128.store(m + mTile, a1);
  v128.store(m + mTile, b1, 16);
  v128.store(m + 2 * mTile, a2);
  v128.store(m + 2 * mTile, b2, 16);
  v128.store(m + 3 * mTile, a3);
  v128.store(m + 3 * mTile, b3, 16);
}

// out [batch, outHeight, outWidth, co] = (ReLU of) bias + the 3x3 stride-1 convolution of x [batch, height,
// width, ci] with padding padTop / padLeft (zeros read wherever a window leaves the image), from U (winogradFilter).
// ci a multiple of 4, co of 8; bias 0 for none. v and m are scratch of winogradScratchFloats(blockTiles, ci) and
// (.., co) floats: the tiles are transformed, multiplied and written back blockTiles at a time.
export function winogradConv(
  x: usize,
  u: usize,
  bias: usize,
  out: usize,
  v: usize,
  m: usize,
  batch: i32,
  height: i32,
  width: i32,
  ci: i32,
  padTop: i32,
  padLeft: i32,
  outHeight: i32,
  outWidth: i32,
  co: i32,
  relu: i32,
  blockTiles: i32,
): void {
  const tilesH = (outHeight + 3) >> 2;
  const tilesW = (outWidth + 3) >> 2;
  const perImage = tilesH * tilesW;
  const tiles = batch * perImage;
  const capacity = (blockTiles + 3) & ~3;
  const vTile = (<usize>ci) << 2;
  const mTile = (<usize>co) << 2;
  const vXi = (<usize>planeFloats(capacity, ci)) << 2;
  const mXi = (<usize>planeFloats(capacity, co)) << 2;
  const uXi = (<usize>planeFloats(ci, co)) << 2;
  const imageBytes = <usize>(height * width) * vTile;
  const outImage = <usize>(outHeight * outWidth) * mTile;
  for (let t0 = 0; t0 < tiles; t0 += blockTiles) {
    const count = min(blockTiles, tiles - t0);
    const rounded = (count + 3) & ~3;
    for (let k = 0; k < count; k++) {
      const t = t0 + k;
      const n = t / perImage;
      const ty = (t - n * perImage) / tilesW;
      const tx = t - n * perImage - ty * tilesW;
      const vk = v + <usize>k * vTile;
      inputChannels(x + <usize>n * imageBytes, vk, height, width, ci, ty * 4 - padTop, tx * 4 - padLeft, vXi);
    }
    // Tiles that round the block up to a multiple of four: zeros, computed and never written out.
    for (let xi = 0; xi < 36; xi++) {
      memory.fill(v + <usize>xi * vXi + <usize>count * vTile, 0, <usize>(rounded - count) * vTile);
    }
    for (let xi = 0; xi < 36; xi++) {
      products(v + <usize>xi * vXi, u + <usize>xi * uXi, m + <usize>xi * mXi, rounded, ci, co);
    }
    for (let k = 0; k < count; k++) {
      const t = t0 + k;
      const n = t / perImage;
      const ty = (t - n * perImage) / tilesW;
      const tx = t - n * perImage - ty * tilesW;
      const mk = m + <usize>k * mTile;
      outputChannels(mk, out + <usize>n * outImage, bias, relu, outHeight, outWidth, co, ty * 4, tx * 4, mXi);
    }
  }
}

// One tile's window, every group of four input channels.
function inputChannels(
  image: usize,
  v: usize,
  height: i32,
  width: i32,
  ci: i32,
  y0: i32,
  x0: i32,
  vXi: usize,
): void {
  for (let c = 0; c < ci; c += 4) {
    const offset = (<usize>c) << 2;
    inputTile(image + offset, v + offset, height, width, ci, y0, x0, vXi);
  }
}

// M[xi] = V[xi] . U[xi] for one xi: `tiles` (a multiple of 4) rows by co channels, eight channels at a time
// (U's 8-channel block stays in L1 while the block's tiles pass it).
function products(v: usize, u: usize, m: usize, tiles: i32, ci: i32, co: i32): void {
  const vTile = (<usize>ci) << 2;
  const mTile = (<usize>co) << 2;
  const uBlock = (<usize>ci) << 5;
  for (let ob = 0; ob < co; ob += 8) {
    const uo = u + <usize>(ob >> 3) * uBlock;
    const mo = m + ((<usize>ob) << 2);
    for (let k = 0; k < tiles; k += 4) {
      product4(v + <usize>k * vTile, uo, mo + <usize>k * mTile, ci, vTile, mTile);
    }
  }
}

// One tile's products into its output pixels, every group of four output channels.
function outputChannels(
  m: usize,
  image: usize,
  bias: usize,
  relu: i32,
  outHeight: i32,
  outWidth: i32,
  co: i32,
  oy0: i32,
  ox0: i32,
  mXi: usize,
): void {
  for (let c = 0; c < co; c += 4) {
    const offset = (<usize>c) << 2;
    const b = bias ? v128.load(bias + offset) : f32x4.splat(0);
    outputTile(m + offset, image + offset, b, relu, outHeight, outWidth, co, oy0, ox0, mXi);
  }
}

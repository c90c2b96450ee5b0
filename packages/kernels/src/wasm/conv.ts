// @ts-nocheck: AssemblyScript (usize, v128, load/store), compiled by asc, not by tsc.
// AssemblyScript source of ../conv.wasm and ../conv.fma.wasm. Build: `pnpm --filter @mri/kernels build:wasm`, which
// runs (in packages/kernels; a test checks that the committed binaries are exactly this build):
//   asc src/wasm/conv.ts -o src/conv.wasm --runtime stub -O3 --noAssert --importMemory --enable simd
//   asc ... -o src/conv.fma.wasm ... --enable simd,relaxed-simd
// The forward 2-D convolution (NHWC, dilation 1) as a register-blocked direct product: four output pixels of one
// row times eight output channels live in eight SIMD accumulators while the taps stream by, so every input value
// is one splat load and every filter vector is loaded once per four pixels, with no im2col buffer. Eight
// accumulators, not twelve: V8 leaves 15 vector registers to wasm on x64, and a 6 x 8 tile spilled in the inner
// loop and ran at about half this one's speed (the figures: README, Fused multiply-add).

import { madd } from './madd';

const TILE: i32 = 4;
// Packed filter bytes one group of output channels may hold (see conv): well inside a 512 KB L2 shared with the
// input rows.
const GROUP_FILTER_BYTES: usize = 192 * 1024;

// The filter w [kh, kw, ci, co] rearranged so that the kernel reads it sequentially: packed[ob][i][j][c][0..8] =
// w[i, j, c, ob*8 .. ob*8+8].
export function packFilter(w: usize, packed: usize, kh: i32, kw: i32, ci: i32, co: i32): void {
  const taps = kh * kw * ci;
  let dst = packed;
  for (let ob = 0; ob < co; ob += 8) {
    let src = w + ((<usize>ob) << 2);
    for (let t = 0; t < taps; t++, dst += 32, src += (<usize>co) << 2) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    }
  }
}

// x [batch, height, width, channels] copied into out [batch, height + top + bottom, width + left + right,
// channels] with zeros around it; a negative bottom or right drops rows or columns the convolution never reads.
export function padImages(
  x: usize,
  out: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  top: i32,
  bottom: i32,
  left: i32,
  right: i32,
): void {
  const outHeight = height + top + bottom;
  const outWidth = width + left + right;
  const pixel = (<usize>channels) << 2;
  const rowBytes = <usize>outWidth * pixel;
  const copied = min(width, outWidth - left);
  let dst = out;
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < outHeight; r++, dst += rowBytes) {
      const y = r - top;
      if (y < 0 || y >= height) {
        memory.fill(dst, 0, rowBytes);
        continue;
      }
      memory.fill(dst, 0, <usize>left * pixel);
      memory.copy(
        dst + <usize>left * pixel,
        x + <usize>((n * height + y) * width) * pixel,
        <usize>copied * pixel,
      );
      memory.fill(dst + <usize>(left + copied) * pixel, 0, <usize>(outWidth - left - copied) * pixel);
    }
  }
}

// out[n, oy, ox, o] = (relu of) bias[o] + sum over i, j, c of x[n, oy*strideH + i, ox*strideW + j, c] *
// w[i, j, c, o], on an x already padded (padImages) and a packedFilter; outChannels a multiple of 8, bias 0 for
// none.
export function conv(
  x: usize,
  packed: usize,
  bias: usize,
  out: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
  relu: i32,
): void {
  const blockBytes = (<usize>(kh * kw * channels)) << 5;
  const pixelStep = (<usize>(strideW * channels)) << 2;
  const inRow = (<usize>(width * channels)) << 2;
  const outPixel = (<usize>outChannels) << 2;
  // Output channels in groups whose packed filter blocks stay in the core's L2 cache while every row of every
  // image streams past them. A shallow layer's whole filter is one group (each input row is read once, from L1);
  // a deep layer's (3x3x512x512: 9.4 MB) would otherwise be read from memory once per output row.
  const groupChannels = max(1, <i32>(GROUP_FILTER_BYTES / blockBytes)) << 3;
  for (let group = 0; group < outChannels; group += groupChannels) {
    const groupEnd = min(outChannels, group + groupChannels);
    for (let n = 0; n < batch; n++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const xRow = x + <usize>(n * height + oy * strideH) * inRow;
        const outRow = out + <usize>((n * outHeight + oy) * outWidth) * outPixel;
        for (let ob = group; ob < groupEnd; ob += 8) {
          const b = bias ? bias + ((<usize>ob) << 2) : 0;
          const filter = packed + <usize>(ob >> 3) * blockBytes;
          convRow(
            xRow,
            filter,
            b,
            outRow + ((<usize>ob) << 2),
            kh,
            kw,
            channels,
            inRow,
            pixelStep,
            outPixel,
            outWidth,
            relu,
          );
        }
      }
    }
  }
}

// Eight channels of one output row, four pixels at a time.
function convRow(
  x: usize,
  filter: usize,
  bias: usize,
  out: usize,
  kh: i32,
  kw: i32,
  channels: i32,
  inRow: usize,
  pixelStep: usize,
  outPixel: usize,
  outWidth: i32,
  relu: i32,
): void {
  let ox = 0;
  for (; ox + TILE <= outWidth; ox += TILE) {
    tile4(
      x + <usize>ox * pixelStep,
      filter,
      bias,
      out + <usize>ox * outPixel,
      kh,
      kw,
      channels,
      inRow,
      pixelStep,
      outPixel,
      relu,
    );
  }
  // The last pixels of a row: one more tile ending at the row's end, which recomputes a few pixels (the same
  // values) rather than taking the rest one pixel at a time at a quarter of the speed.
  if (ox < outWidth && outWidth >= TILE) {
    const last = outWidth - TILE;
    tile4(
      x + <usize>last * pixelStep,
      filter,
      bias,
      out + <usize>last * outPixel,
      kh,
      kw,
      channels,
      inRow,
      pixelStep,
      outPixel,
      relu,
    );
    return;
  }
  for (; ox < outWidth; ox++) {
    pixel1(
      x + <usize>ox * pixelStep,
      filter,
      bias,
      out + <usize>ox * outPixel,
      kh,
      kw,
      channels,
      inRow,
      relu,
    );
  }
}

function finish(acc: v128, relu: i32): v128 {
  return relu ? f32x4.max(acc, f32x4.splat(0)) : acc;
}

// Four neighbouring output pixels by eight channels.
function tile4(
  x: usize,
  filter: usize,
  bias: usize,
  out: usize,
  kh: i32,
  kw: i32,
  channels: i32,
  inRow: usize,
  step: usize,
  outPixel: usize,
  relu: i32,
): void {
  const lo = bias ? v128.load(bias) : f32x4.splat(0);
  const hi = bias ? v128.load(bias, 16) : f32x4.splat(0);
  let a0 = lo,
    b0 = hi,
    a1 = lo,
    b1 = hi,
    a2 = lo,
    b2 = hi,
    a3 = lo,
    b3 = hi;
  let w = filter;
  const rowBytes = (<usize>(kw * channels)) << 2;
  for (let i = 0; i < kh; i++) {
    // The kw taps of one filter row read kw * channels consecutive inputs per pixel.
    let p = x + <usize>i * inRow;
    const end = p + rowBytes;
    for (; p < end; p += 4, w += 32) {
      const w0 = v128.load(w);
      const w1 = v128.load(w, 16);
      let s = v128.load32_splat(p);
      a0 = madd(s, w0, a0);
      b0 = madd(s, w1, b0);
      s = v128.load32_splat(p + step);
      a1 = madd(s, w0, a1);
      b1 = madd(s, w1, b1);
      s = v128.load32_splat(p + 2 * step);
      a2 = madd(s, w0, a2);
      b2 = madd(s, w1, b2);
      s = v128.load32_splat(p + 3 * step);
      a3 = madd(s, w0, a3);
      b3 = madd(s, w1, b3);
    }
  }
  v128.store(out, finish(a0, relu));
  v128.store(out, finish(b0, relu), 16);
  v128.store(out + outPixel, finish(a1, relu));
  v128.store(out + outPixel, finish(b1, relu), 16);
  v128.store(out + 2 * outPixel, finish(a2, relu));
  v128.store(out + 2 * outPixel, finish(b2, relu), 16);
  v128.store(out + 3 * outPixel, finish(a3, relu));
  v128.store(out + 3 * outPixel, finish(b3, relu), 16);
}

// One output pixel by eight channels: rows narrower than a tile.
function pixel1(
  x: usize,
  filter: usize,
  bias: usize,
  out: usize,
  kh: i32,
  kw: i32,
  channels: i32,
  inRow: usize,
  relu: i32,
): void {
  let a = bias ? v128.load(bias) : f32x4.splat(0);
  let b = bias ? v128.load(bias, 16) : f32x4.splat(0);
  let w = filter;
  const rowBytes = (<usize>(kw * channels)) << 2;
  for (let i = 0; i < kh; i++) {
    let p = x + <usize>i * inRow;
    const end = p + rowBytes;
    for (; p < end; p += 4, w += 32) {
      const s = v128.load32_splat(p);
      a = madd(s, v128.load(w), a);
      b = madd(s, v128.load(w, 16), b);
    }
  }
  v128.store(out, finish(a, relu));
  v128.store(out, finish(b, relu), 16);
}

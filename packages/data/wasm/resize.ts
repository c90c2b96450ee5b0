// AssemblyScript source of src/resize.wasm (build: pnpm --filter @mri/data build:wasm).
// Pillow's bicubic resampling of 8-bit grey images, with SIMD: one vertical multiply-accumulate pass (the
// horizontal pass is the same pass on the transposed image) and a transpose. Weights, start indices and tap counts
// are computed by src/taps.ts exactly as Pillow computes them (22-bit fixed point) and laid out in this module's
// memory by the caller (src/resize-wasm.ts), so results are bit-identical to the scalar code.

const PRECISION_BITS: i32 = 22;
const HALF: i32 = 1 << (PRECISION_BITS - 1);

// Small enough that the optimiser inlines it.
function clip8(acc: i32): u8 {
  const v = acc >> PRECISION_BITS;
  return <u8>max<i32>(0, min<i32>(v, 255));
}

/**
 * RGB or RGBA (`channels` 3 or 4) to grey as Pillow's convert('L') does it: ITU-R 601 luma in 16-bit fixed point.
 */
export function luma(src: usize, pixels: i32, channels: i32, dst: usize): void {
  for (let i = 0; i < pixels; i++) {
    const p = src + <usize>(i * channels);
    const sum = <i32>load<u8>(p) * 19595 + <i32>load<u8>(p, 1) * 38470 + <i32>load<u8>(p, 2) * 7471 + 0x8000;
    store<u8>(dst + <usize>i, <u8>(sum >> 16));
  }
}

/** 512 bytes of scratch for the block transpose, in the module's static data (below the caller's memory). */
const SCRATCH: usize = memory.data(512, 16);

/**
 * Transposes one 16x16 block with four perfect-shuffle stages: each stage interleaves row i with row i + 8, and
 * after four of them rows have become columns. 64 vector shuffles instead of 256 byte loads and stores.
 */
function transposeBlock(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  let from = src;
  let fromStride = srcStride;
  for (let stage = 0; stage < 4; stage++) {
    const last = stage === 3;
    const to = last ? dst : SCRATCH + <usize>((stage & 1) << 8);
    const toStride: usize = last ? dstStride : 16;
    for (let i: usize = 0; i < 8; i++) {
      const a = v128.load(from + i * fromStride);
      const b = v128.load(from + (i + 8) * fromStride);
      v128.store(
        to + 2 * i * toStride,
        i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),
      );
      v128.store(
        to + (2 * i + 1) * toStride,
        i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31),
      );
    }
    from = to;
    fromStride = toStride;
  }
}

/**
 * `dst` = transpose of the `width` x `height` bytes at `src`, by 16x16 blocks (edges byte by byte). With it, the
 * horizontal pass runs as a vertical pass on the transposed image: 16 pixels per vector step instead of one,
 * and the same integer sums.
 */
export function transpose(src: usize, width: i32, height: i32, dst: usize): void {
  const w = <usize>width;
  const h = <usize>height;
  const blockW = w & ~15;
  const blockH = h & ~15;
  for (let y: usize = 0; y < blockH; y += 16) {
    for (let x: usize = 0; x < blockW; x += 16) transposeBlock(src + y * w + x, w, dst + x * h + y, h);
  }
  for (let y: usize = 0; y < h; y++) {
    const from = y < blockH ? blockW : 0; // block rows: only the right edge is left; the bottom rows: all of it
    for (let x = from; x < w; x++) store<u8>(dst + x * h + y, load<u8>(src + y * w + x));
  }
}

/**
 * Vertical pass: rows of `width` bytes at `src` to `outHeight` rows at `dst`, 16 columns per step: each tap is
 * one 16-byte load widened to four i32x4, and the result is narrowed back with saturation (Pillow's clip8).
 */
export function resizeColumns(
  src: usize,
  width: i32,
  dst: usize,
  outHeight: i32,
  start: usize,
  count: usize,
  weights: usize,
  stride: i32,
): void {
  const half = i32x4.splat(HALF);
  for (let y = 0; y < outHeight; y++) {
    const first = load<i32>(start + ((<usize>y) << 2));
    const taps = load<i32>(count + ((<usize>y) << 2));
    const w = weights + ((<usize>(y * stride)) << 2);
    const out = dst + <usize>(y * width);
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      let a0 = half;
      let a1 = half;
      let a2 = half;
      let a3 = half;
      for (let j = 0; j < taps; j++) {
        const k = i32x4.splat(load<i32>(w + ((<usize>j) << 2)));
        const pixels = v128.load(src + <usize>((first + j) * width + x));
        const lo = i16x8.extend_low_i8x16_u(pixels);
        const hi = i16x8.extend_high_i8x16_u(pixels);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), k));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), k));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), k));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), k));
      }
      const low = i16x8.narrow_i32x4_s(i32x4.shr_s(a0, PRECISION_BITS), i32x4.shr_s(a1, PRECISION_BITS));
      const high = i16x8.narrow_i32x4_s(i32x4.shr_s(a2, PRECISION_BITS), i32x4.shr_s(a3, PRECISION_BITS));
      v128.store(out + <usize>x, i8x16.narrow_i16x8_u(low, high));
    }
    for (; x < width; x++) {
      let acc = HALF;
      for (let j = 0; j < taps; j++) {
        acc += <i32>load<u8>(src + <usize>((first + j) * width + x)) * load<i32>(w + ((<usize>j) << 2));
      }
      store<u8>(out + <usize>x, clip8(acc));
    }
  }
}

import { HALF, PRECISION_BITS, tapsFor } from './taps.js';

/** The two resampling passes in plain JavaScript: the fallback where WebAssembly SIMD is missing, and the yardstick. */

function clip8(acc: number): number {
  return Math.max(0, Math.min(255, acc >> PRECISION_BITS));
}

/** Resizes `src` (width x height, one byte per pixel) to outWidth x outHeight, in scalar JavaScript. */
export function resizeGrayScalar(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const across = width === outWidth ? src : resizeRows(src, width, height, outWidth);
  return height === outHeight ? across : resizeColumns(across, outWidth, height, outHeight);
}

function resizeRows(src: Uint8Array, width: number, height: number, outWidth: number): Uint8Array {
  const { start, count, weights, stride } = tapsFor(width, outWidth);
  const out = new Uint8Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outWidth; x++) {
      const s = row + (start[x] as number);
      const n = count[x] as number;
      const w = x * stride;
      let acc = HALF;
      // Math.imul and `| 0` keep V8 on int32 arithmetic; the sum fits in 31 bits as it does in Pillow's C.
      for (let j = 0; j < n; j++) acc = (acc + Math.imul(src[s + j] as number, weights[w + j] as number)) | 0;
      out[y * outWidth + x] = clip8(acc);
    }
  }
  return out;
}

function resizeColumns(src: Uint8Array, width: number, height: number, outHeight: number): Uint8Array {
  const { start, count, weights, stride } = tapsFor(height, outHeight);
  const out = new Uint8Array(width * outHeight);
  const acc = new Int32Array(width);
  for (let y = 0; y < outHeight; y++) {
    const first = start[y] as number;
    const n = count[y] as number;
    acc.fill(HALF);
    // Row by row rather than column by column: contiguous reads, same sums.
    for (let j = 0; j < n; j++) {
      const k = weights[y * stride + j] as number;
      const row = (first + j) * width;
      for (let x = 0; x < width; x++)
        acc[x] = ((acc[x] as number) + Math.imul(src[row + x] as number, k)) | 0;
    }
    for (let x = 0; x < width; x++) out[y * width + x] = clip8(acc[x] as number);
  }
  return out;
}

/**
 * Bicubic resampling of an 8-bit single-channel image, with the same kernel, support and fixed-point rounding
 * as Pillow's `Image.resize(..., BICUBIC)`, so our pixels match the reference's PIL path to within a grey level.
 * Separable: a horizontal pass into an 8-bit buffer, then a vertical pass.
 */

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

interface Taps {
  /** First input index for each output index. */
  readonly start: Int32Array;
  /** Number of taps for each output index. */
  readonly count: Int32Array;
  /** Fixed-point weights, `stride` per output index. */
  readonly weights: Int32Array;
  readonly stride: number;
}

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

const tapsCache = new Map<string, Taps>();

/** Weights depend only on the two sizes: computed once, reused for every image of that shape. */
function tapsFor(inSize: number, outSize: number): Taps {
  const key = `${inSize}>${outSize}`;
  const cached = tapsCache.get(key);
  if (cached) return cached;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const k = new Float64Array(stride);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const w = bicubic((j + lo - center + 0.5) / filterScale);
      k[j] = w;
      sum += w;
    }
    for (let j = 0; j < n; j++) {
      const w = sum === 0 ? 0 : (k[j] ?? 0) / sum;
      weights[i * stride + j] = Math.trunc(
        w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5,
      );
    }
    start[i] = lo;
    count[i] = n;
  }
  const taps = { start, count, weights, stride };
  tapsCache.set(key, taps);
  return taps;
}

function clip8(acc: number): number {
  return Math.max(0, Math.min(255, acc >> PRECISION_BITS));
}

/** Resizes `src` (width x height, one byte per pixel) to outWidth x outHeight. */
export function resizeGray(
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

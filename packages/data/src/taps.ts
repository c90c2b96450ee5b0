/**
 * Resampling weights of Pillow's bicubic filter (a = -0.5, support widened by the downscale factor, weights
 * normalised then rounded to 22-bit fixed point), computed exactly as Pillow's precompute_coeffs does.
 */

export const PRECISION_BITS = 22;
export const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

export interface Taps {
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
export function tapsFor(inSize: number, outSize: number): Taps {
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

import type { PreprocessingSpec } from './spec.js';

/**
 * 8-bit grey pixels to the model's float input: x / 255, then (x - mean) / std, as the spec records. Writes into
 * `out` at `offset` when given (a batch being filled), else into a new array.
 */
export function normalise(
  pixels: Uint8Array,
  spec: PreprocessingSpec,
  out: Float32Array = new Float32Array(pixels.length),
  offset = 0,
): Float32Array {
  if (offset + pixels.length > out.length) {
    throw new RangeError(
      `normalise: ${pixels.length} values do not fit at offset ${offset} of ${out.length}.`,
    );
  }
  const scale = 1 / (255 * spec.std);
  const shift = spec.mean / spec.std;
  for (let i = 0; i < pixels.length; i++) out[offset + i] = (pixels[i] as number) * scale - shift;
  return out;
}

import type { PreprocessingSpec } from './spec.js';

/**
 * The normalisation, once: a grey level in [0, 1] pixel units (0 black, 1 white) as the model sees it. Everything
 * that reasons about model inputs in pixel units (augmentation's black fill, say) goes through here.
 */
export function normaliseUnit(value: number, spec: PreprocessingSpec): number {
  return (value - spec.mean) / spec.std;
}

/** A difference of grey levels in [0, 1] pixel units (a brightness shift, say) as a difference of model inputs. */
export function normaliseDelta(delta: number, spec: PreprocessingSpec): number {
  return delta / spec.std;
}

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
  // normaliseUnit(x / 255), rearranged to one multiply-subtract per pixel.
  const scale = 1 / (255 * spec.std);
  const shift = -normaliseUnit(0, spec);
  for (let i = 0; i < pixels.length; i++) out[offset + i] = (pixels[i] as number) * scale - shift;
  return out;
}

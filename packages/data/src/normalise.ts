import type { PreprocessingSpec } from './spec.js';

/** 8-bit grey pixels to the model's float input: x / 255, then (x - mean) / std, as the spec records. */
export function normalise(pixels: Uint8Array, spec: PreprocessingSpec): Float32Array {
  const out = new Float32Array(pixels.length);
  const scale = 1 / (255 * spec.std);
  const shift = spec.mean / spec.std;
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] as number) * scale - shift;
  return out;
}

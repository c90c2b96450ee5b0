import { type DecodeOptions, decodeGray } from './decode.js';
import { normalise } from './normalise.js';
import type { PreprocessingSpec } from './spec.js';

/**
 * THE preprocessing function: image bytes (JPEG or PNG) to a size x size, one-channel, normalised Float32Array,
 * row-major. Training (through the processed cache, which stores `decodeGray` output and applies `normalise` on
 * load), evaluation and serving all go through these two halves with the spec the model carries.
 * Throws `ImageError` for input that is not a usable image.
 */
export async function preprocess(
  bytes: Uint8Array,
  spec: PreprocessingSpec,
  options: DecodeOptions = {},
): Promise<Float32Array> {
  return normalise(decodeGray(bytes, spec.size, options), spec);
}

import { lumaScalar } from './luma.js';
import { resizeGrayScalar } from './resize-scalar.js';
import { wasmResizer } from './resize-wasm.js';

/**
 * Bicubic resampling of an 8-bit single-channel image with the kernel, support and fixed-point rounding of Pillow's
 * `Image.resize(..., BICUBIC)`, so our pixels match the reference's PIL path. Separable: a horizontal pass into an
 * 8-bit buffer, then a vertical pass. The passes run in a SIMD WebAssembly kernel where the runtime has one (Node
 * >= 16 does), else in scalar JavaScript: same weights, same integer arithmetic, identical bytes.
 */
export function resizeGray(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  return grayResize(src, 1, width, height, outWidth, outHeight);
}

/**
 * 8-bit grey, RGB or RGBA samples to a grey outWidth x outHeight image: Pillow's convert('L') (ITU-R 601 luma in
 * 16-bit fixed point; alpha ignored), then `resizeGray`. In the kernel both steps run in wasm memory, one copy in.
 */
export function grayResize(
  samples: Uint8Array,
  channels: 1 | 3 | 4,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const kernel = wasmResizer();
  if (kernel) return kernel.resize(samples, width, height, outWidth, outHeight, channels);
  const gray = channels === 1 ? samples : lumaScalar(samples, channels, width * height);
  const out = resizeGrayScalar(gray, width, height, outWidth, outHeight);
  return out === samples ? out.slice() : out;
}

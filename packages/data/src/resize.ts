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
  const kernel = wasmResizer();
  return kernel
    ? kernel.resize(src, width, height, outWidth, outHeight)
    : resizeGrayScalar(src, width, height, outWidth, outHeight);
}

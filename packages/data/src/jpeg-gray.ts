import jpegTurbo from '@julusian/jpeg-turbo';
import type { ImageHeader } from './header.js';
import { resizeGrayScalar } from './resize-scalar.js';
import { wasmResizer } from './resize-wasm.js';

/**
 * A JPEG straight to grey at outWidth x outHeight, or undefined when libjpeg-turbo will not decode it cleanly (then
 * the caller takes the general path). libjpeg-turbo (prebuilt, SIMD) is asked for grey output: for a colour
 * (YCbCr) JPEG it then decodes only the luma component, skipping the chroma IDCTs, upsampling and colour
 * conversion that a decode to RGB followed by RGB-to-grey pays for; the luma an encoder stored is the ITU-R 601
 * grey Pillow's convert('L') computes. It writes into the resize kernel's memory, so the image is not copied;
 * `kernel` null (no WebAssembly SIMD) decodes into a fresh buffer for the scalar resize.
 */
export function decodeJpegGray(
  bytes: Uint8Array,
  header: ImageHeader,
  outWidth: number,
  outHeight: number,
  kernel = wasmResizer(),
): Uint8Array | undefined {
  // Four components are CMYK or YCCK, which libjpeg cannot turn into grey.
  if (header.components !== 1 && header.components !== 3) return undefined;
  const { width, height } = header;
  const options = { format: jpegTurbo.FORMAT_GRAY };
  try {
    if (kernel) {
      return kernel.resizeFilled(width, height, outWidth, outHeight, 1, (input) =>
        decodeInto(bytes, input, width, height, options),
      );
    }
    const gray = new Uint8Array(width * height);
    decodeInto(bytes, gray, width, height, options);
    return resizeGrayScalar(gray, width, height, outWidth, outHeight);
  } catch {
    // A damaged stream, a warning libjpeg raised (extraneous bytes, a premature end), a 12-bit or arithmetic-coded
    // file: the general decoder either reads it or words the error.
    return undefined;
  }
}

function decodeInto(
  bytes: Uint8Array,
  into: Uint8Array,
  width: number,
  height: number,
  options: { format: number },
): void {
  // As Buffers: the binding's wrapper slices its output, which for a Buffer is a view and for a Uint8Array a copy.
  const target = Buffer.from(into.buffer, into.byteOffset, into.length);
  const source = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const decoded = jpegTurbo.decompressSync(source, target, options);
  // The frame header we read is the one libjpeg decoded: anything else would mean a stream we misread.
  if (decoded.width !== width || decoded.height !== height) throw new Error('dimensions differ');
}

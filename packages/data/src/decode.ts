import { JsColorType, Transformer } from '@napi-rs/image';
import { ImageError } from './errors.js';
import { type ImageHeader, readHeader } from './header.js';
import { decodeJpegGray } from './jpeg-gray.js';
import { grayResize } from './resize.js';

export interface DecodeOptions {
  /**
   * Refuse images with more pixels than this before decoding them (decompression bombs). The default, 25 M pixels
   * (5000 x 5000), is far above any MRI slice and far below what would exhaust memory.
   */
  readonly maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 25_000_000;

/**
 * Decodes a JPEG or PNG, converts it to one 8-bit grey channel (Pillow's ITU-R 601 luma) and resizes it to
 * size x size (Pillow-compatible bicubic). A JPEG is decoded by libjpeg-turbo straight to grey (`decodeJpegGray`);
 * PNG, CMYK JPEG and a JPEG libjpeg-turbo refuses go through `@napi-rs/image` and the kernel's RGB-to-grey. Returns a fresh buffer the caller owns (it may be transferred to
 * another thread).
 * This is the pixel half of the one preprocessing path; `normalise` is the other half.
 */
export function decodeGray(bytes: Uint8Array, size: number, options: DecodeOptions = {}): Uint8Array {
  const header = readHeader(bytes);
  checkPixelLimit(header, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  if (header.format === 'jpeg') {
    checkJpegComplete(bytes);
    const gray = decodeJpegGray(bytes, header, size, size);
    if (gray) return gray;
  }
  const { data, channels } = decodeFull(bytes, header);
  return grayResize(data, channels, header.width, header.height, size, size);
}

function checkPixelLimit(header: ImageHeader, maxPixels: number): void {
  const pixels = header.width * header.height;
  if (header.width === 0 || header.height === 0) {
    throw new ImageError(
      'corrupt',
      `The image header says ${header.width}x${header.height}, which has no pixels.`,
    );
  }
  if (pixels > maxPixels) {
    throw new ImageError(
      'too-large',
      `The image is ${header.width}x${header.height} (${pixels} pixels), over the limit of ${maxPixels} pixels.`,
    );
  }
}

/**
 * A JPEG cut short still decodes to a plausible picture with grey bands in some decoders; Pillow refuses it.
 * So do we: a complete JPEG has an end-of-image marker (FF D9), possibly followed by a little padding.
 */
function checkJpegComplete(bytes: Uint8Array): void {
  const from = Math.max(2, bytes.length - 1024);
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return;
  }
  throw new ImageError('corrupt', 'The JPEG is truncated (no end-of-image marker).');
}

/** Decoded 8-bit samples, `channels` per pixel (1 grey, 3 RGB, 4 RGBA), row-major. */
interface Samples {
  readonly data: Uint8Array;
  readonly channels: 1 | 3 | 4;
}

function decodeFull(bytes: Uint8Array, header: ImageHeader): Samples {
  const pixels = header.width * header.height;
  try {
    const image = new Transformer(bytes);
    // A JPEG decodes to 8-bit grey, RGB or RGBA, told apart by size; asking for metadata would cost a second
    // parse. PNG has more layouts (16-bit, grey + alpha) and is rare here, so it asks.
    const colorType = header.format === 'jpeg' ? undefined : image.metadataSync().colorType;
    const raw = image.rawPixelsSync();
    const samples = toSamples(raw, colorType ?? JPEG_LAYOUTS[raw.length / pixels], pixels);
    if (samples) return samples;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ImageError(
      'corrupt',
      `The ${header.format.toUpperCase()} data is damaged and cannot be decoded (${reason}).`,
    );
  }
  throw new ImageError('corrupt', `The ${header.format.toUpperCase()} pixel layout is not one we can read.`);
}

const JPEG_LAYOUTS: Record<number, JsColorType> = {
  1: JsColorType.L8,
  3: JsColorType.Rgb8,
  4: JsColorType.Rgba8,
};

/** Bytes per sample and channels of each decoded layout; float layouts are not produced by JPEG or PNG. */
const LAYOUTS: Partial<Record<JsColorType, { bytes: 1 | 2; channels: 1 | 2 | 3 | 4 }>> = {
  [JsColorType.L8]: { bytes: 1, channels: 1 },
  [JsColorType.La8]: { bytes: 1, channels: 2 },
  [JsColorType.Rgb8]: { bytes: 1, channels: 3 },
  [JsColorType.Rgba8]: { bytes: 1, channels: 4 },
  [JsColorType.L16]: { bytes: 2, channels: 1 },
  [JsColorType.La16]: { bytes: 2, channels: 2 },
  [JsColorType.Rgb16]: { bytes: 2, channels: 3 },
  [JsColorType.Rgba16]: { bytes: 2, channels: 4 },
};

/**
 * Any decoded layout to 8-bit grey, RGB or RGBA: 16-bit samples are cut to their high byte, and grey + alpha
 * drops its alpha (as Pillow's convert('L') does). The common layouts pass through without a copy.
 */
function toSamples(raw: Buffer, colorType: JsColorType | undefined, pixels: number): Samples | undefined {
  const layout = colorType === undefined ? undefined : LAYOUTS[colorType];
  if (!layout || raw.length !== pixels * layout.bytes * layout.channels) return undefined;
  const data =
    layout.bytes === 1
      ? new Uint8Array(raw.buffer, raw.byteOffset, raw.length)
      : Uint8Array.from(
          new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)),
          (v) => v >> 8,
        );
  if (layout.channels !== 2) return { data, channels: layout.channels };
  return { data: data.filter((_, i) => i % 2 === 0), channels: 1 };
}

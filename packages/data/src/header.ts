import { ImageError } from './errors.js';

export type ImageFormat = 'jpeg' | 'png';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Colour components of a JPEG frame (1 grey, 3 colour, 4 CMYK); undefined for PNG. */
  readonly components?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads format and dimensions from the first bytes of a JPEG or PNG without decoding pixels, so that a
 * decompression bomb is refused before any memory is spent on it.
 */
export function readHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageError('empty', 'The file is empty (0 bytes).');
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return readJpegHeader(bytes);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return readPngHeader(bytes);
  throw new ImageError('not-an-image', 'The file is not a JPEG or PNG image.');
}

function readPngHeader(bytes: Uint8Array): ImageHeader {
  // IHDR is always the first chunk: length(4) type(4) width(4) height(4) at offset 8.
  if (bytes.length < 24) throw corrupt('png');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
}

/** Start-of-frame markers carry the dimensions: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegHeader(bytes: Uint8Array): ImageHeader {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) throw corrupt('jpeg');
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    if (isStartOfFrame(marker)) {
      const height = ((bytes[offset + 5] ?? 0) << 8) | (bytes[offset + 6] ?? 0);
      const width = ((bytes[offset + 7] ?? 0) << 8) | (bytes[offset + 8] ?? 0);
      return { format: 'jpeg', width, height, components: bytes[offset + 9] ?? 0 };
    }
    offset += 2 + length;
  }
  throw corrupt('jpeg');
}

function corrupt(format: ImageFormat): ImageError {
  return new ImageError('corrupt', `The ${format.toUpperCase()} header is damaged or cut short.`);
}

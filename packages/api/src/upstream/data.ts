/**
 * TEMPORARY stand-in for `@mri/data`'s `preprocess` and `ImageError`, until the data branch lands on main; then
 * this file becomes `export { ImageError, preprocess } from '@mri/data';`. It follows the contract as briefed:
 * one function, bytes + spec in, a normalised single-channel size x size tensor out, typed errors.
 */

import type { PreprocessingSpec } from '@mri/data';
import { Transformer } from '@napi-rs/image';

export type ImageErrorCode = 'empty' | 'not-an-image' | 'corrupt' | 'too-large' | 'unreadable';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PreprocessOptions {
  readonly maxPixels?: number;
}

export async function preprocess(
  bytes: Uint8Array,
  spec: PreprocessingSpec,
  options: PreprocessOptions = {},
): Promise<Float32Array> {
  if (bytes.length === 0) throw new ImageError('empty', 'The file is empty.');
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (!isJpeg && !isPng) throw new ImageError('not-an-image', 'The file is not a JPEG or PNG image.');
  const transformer = new Transformer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  let meta: { width: number; height: number };
  try {
    meta = await transformer.metadata();
  } catch {
    throw new ImageError('corrupt', 'The image header could not be read; it may be truncated or corrupt.');
  }
  const maxPixels = options.maxPixels ?? 25_000_000;
  if (meta.width * meta.height > maxPixels) {
    throw new ImageError(
      'too-large',
      `The image has ${meta.width}x${meta.height} pixels, over ${maxPixels}.`,
    );
  }
  let rgba: Buffer;
  try {
    rgba = await transformer.grayscale().resize(spec.size, spec.size).rawPixels();
  } catch {
    throw new ImageError('corrupt', 'The image could not be decoded; it may be truncated or corrupt.');
  }
  const channels = rgba.length / (spec.size * spec.size);
  const out = new Float32Array(spec.size * spec.size);
  for (let i = 0; i < out.length; i++) {
    out[i] = ((rgba[i * channels] ?? 0) / 255 - spec.mean) / spec.std;
  }
  return out;
}

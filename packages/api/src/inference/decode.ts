/**
 * Decoding an upload for the model, with memory bounded by what the model needs rather than by what the client sent
 * (the plan, and why, in decode-plan.ts).
 *
 * A large JPEG is decoded at reduced scale through sharp/libvips' shrink-on-load; the last step, to the model's
 * size, is still the data package's `grayResize`, the kernel training used. Every other image takes the data
 * package's `decodeGray` unchanged. Scores from the two paths agree closely (test/decode.test.ts states the
 * tolerance).
 *
 * sharp is loaded on the first large JPEG, not with the worker: libvips is ~0.2 s of a worker's start-up that most
 * services never use (uploads from the web page and the dataset are small).
 */
import { decodeGray, grayResize, ImageError, type ImageHeader, readHeader } from '@mri/data';
import type { Sharp, SharpOptions } from 'sharp';
import { decodePlan, type Scale } from './decode-plan.js';

type SharpFactory = (input: Uint8Array, options: SharpOptions) => Sharp;

let beforeSharp: () => Promise<void> = async () => {};
let loadingSharp: Promise<SharpFactory> | undefined;

/**
 * Runs before sharp is first loaded on this thread. A worker thread must not be the only holder of libvips (its exit
 * would unload a library other threads still use), so the inference worker asks the main thread to load it first.
 */
export function onFirstSharpLoad(prepare: () => Promise<void>): void {
  beforeSharp = prepare;
}

function sharpFactory(): Promise<SharpFactory> {
  loadingSharp ??= beforeSharp()
    .then(() => import('sharp'))
    .then(({ default: sharp }) => {
      // libvips would otherwise keep decoded images in its operation cache and run a thread pool per pipeline: here
      // each call is one small decode whose result is consumed at once, so both only cost memory.
      sharp.cache(false);
      sharp.concurrency(1);
      return sharp;
    });
  return loadingSharp;
}

/** The image as 8-bit grey at size x size; throws ImageError (the data package's) for anything unreadable. */
export async function decodeForModel(
  bytes: Uint8Array,
  size: number,
  maxPixels: number,
): Promise<Uint8Array> {
  const header = readHeader(bytes);
  const plan = decodePlan(header, size);
  // Within the pixel limit only: decodeGray is the one that refuses an oversized image, with its own sentence.
  if (plan.scale === 1 || header.width * header.height > maxPixels) {
    return decodeGray(bytes, size, { maxPixels });
  }
  const { data, info } = await decodeScaled(bytes, header, plan.scale);
  return grayResize(data, info.channels as 1 | 3, info.width, info.height, size, size);
}

async function decodeScaled(bytes: Uint8Array, header: ImageHeader, scale: Scale) {
  const sharp = await sharpFactory();
  try {
    // The size libjpeg's scaled decode produces, so sharp's shrink-on-load does all of the reduction and its own
    // resampler has nothing left to do (or almost nothing, when a side is not a multiple of the scale).
    return await sharp(bytes, { failOn: 'truncated', limitInputPixels: false, sequentialRead: true })
      .resize(Math.ceil(header.width / scale), Math.ceil(header.height / scale), {
        fit: 'fill',
        fastShrinkOnLoad: true,
      })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ImageError('corrupt', `The JPEG data is damaged and cannot be decoded (${reason}).`);
  }
}

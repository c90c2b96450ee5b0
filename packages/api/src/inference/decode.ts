/**
 * Decoding an upload for the model, with memory bounded by what the model needs rather than by what the client sent.
 *
 * A JPEG far larger than the model's input is decoded at 1/2, 1/4 or 1/8 scale inside libjpeg (DCT scaling, through
 * sharp/libvips' shrink-on-load): a 2240x2240 phone photo becomes 280x280 while it is decoded, ~0.2 MB of samples
 * instead of 15 MB, in a fraction of the time. The last step, to the model's size, is still the data package's
 * `grayResize`, the kernel training used. Every other image takes the data package's `decodeGray` unchanged.
 * Scores from the two paths agree closely (test/decode.test.ts states the tolerance).
 */
import { decodeGray, grayResize, ImageError, type ImageHeader, readHeader } from '@mri/data';
import sharp from 'sharp';

// libvips would otherwise keep decoded images in its operation cache and run a thread pool per pipeline: here each
// call is one small decode whose result is consumed at once, so both only cost memory.
sharp.cache(false);
sharp.concurrency(1);

/** DCT scale denominators libjpeg offers. */
type Scale = 1 | 2 | 4 | 8;

export interface DecodePlan {
  readonly scale: Scale;
  /** Native memory the decode needs at its peak: the decoded samples at that scale. */
  readonly bytes: number;
}

/**
 * The largest DCT scaling that still leaves at least twice the model's size on the short side, so the final
 * bicubic resize has real pixels to average (and the answer stays close to a full decode's).
 */
export function decodePlan(header: ImageHeader, size: number): DecodePlan {
  const channels = header.format === 'jpeg' ? Math.min(header.components ?? 3, 3) : 4;
  let scale: Scale = 1;
  if (header.format === 'jpeg' && header.components !== 4) {
    const short = Math.min(header.width, header.height);
    for (const candidate of [8, 4, 2] as const) {
      if (short / candidate >= 2 * size) {
        scale = candidate;
        break;
      }
    }
  }
  const pixels = Math.ceil(header.width / scale) * Math.ceil(header.height / scale);
  return { scale, bytes: pixels * channels };
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

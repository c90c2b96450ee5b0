/**
 * How an upload will be decoded, and what that costs in native memory: the admission check (routes/classify.ts) asks
 * before any decode, and the worker's decode.ts follows the same plan. Pure arithmetic on the header, so the HTTP
 * thread that plans never loads a decoder.
 *
 * A JPEG far larger than the model's input is decoded at 1/2, 1/4 or 1/8 scale inside libjpeg (DCT scaling): a
 * 2240x2240 phone photo becomes 280x280 while it is decoded, ~0.2 MB of samples instead of 15 MB.
 */
import type { ImageHeader } from '@mri/data';

/** DCT scale denominators libjpeg offers. */
export type Scale = 1 | 2 | 4 | 8;

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

/**
 * A Grad-CAM heat map as a PNG to lay over the scan: a perceptual colour ramp (inferno: dark purple through red to
 * pale yellow, readable in greyscale and by most colour-blind viewers), with cold areas transparent so the scan
 * shows through where the network did not look.
 */
import sharp from 'sharp';

const INFERNO: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [66, 10, 104],
  [147, 38, 103],
  [221, 81, 58],
  [252, 165, 10],
  [252, 255, 164],
];

/** The ramp's colour at t in [0, 1], linearly between its stops. */
export function infernoColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [INFERNO[i] as readonly number[], INFERNO[i + 1] as readonly number[]];
  return [0, 1, 2].map((k) => Math.round((a[k] as number) + ((b[k] as number) - (a[k] as number)) * f)) as [
    number,
    number,
    number,
  ];
}

export interface HeatmapImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

/** RGBA PNG of a `size` x `size` heat map with values in [0, 1]; alpha rises with heat. */
export async function heatmapPng(heat: Float32Array, size: number): Promise<HeatmapImage> {
  const rgba = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const t = heat[i] ?? 0;
    const [r, g, b] = infernoColour(t);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    // Below a fifth of the peak the scan stays visible; the hottest areas are nearly opaque.
    rgba[i * 4 + 3] = Math.round(255 * Math.min(1, Math.max(0, (t - 0.2) / 0.6)) ** 0.8);
  }
  const png = await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return { png, width: size, height: size };
}

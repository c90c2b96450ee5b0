/** Pillow's RGB to L: ITU-R 601 luma in 16-bit fixed point (L = R*299/1000 + G*587/1000 + B*114/1000). */
export const LUMA_R = 19595;
export const LUMA_G = 38470;
export const LUMA_B = 7471;

/** RGB or RGBA samples to grey, in scalar JavaScript (the wasm kernel has the same loop). */
export function lumaScalar(samples: Uint8Array, channels: 3 | 4, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += channels) {
    const r = samples[p] as number;
    const g = samples[p + 1] as number;
    const b = samples[p + 2] as number;
    out[i] = (r * LUMA_R + g * LUMA_G + b * LUMA_B + 0x8000) >> 16;
  }
  return out;
}

/**
 * A phone-photo-sized upload made from a real MRI slice: upscaled to 2240x2240 and given colour noise, so the JPEG
 * is really ~10 MB (a clean upscale compresses to ~1 MB and would understate what the server must read and decode).
 * Deterministic: the same bytes on every run and machine with the same sharp.
 */
import sharp from 'sharp';

export async function largeJpeg(source: string, size = 2240, noise = 20): Promise<Buffer> {
  const { data, info } = await sharp(source)
    .resize(size, size, { kernel: 'lanczos3' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let state = 7;
  const uniform = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  for (let i = 0; i < data.length; i++) {
    // Sum of three uniforms: a cheap, bell-shaped noise of standard deviation ~noise/1.7.
    const value = (data[i] as number) + (uniform() + uniform() + uniform() - 1.5) * 2 * noise;
    data[i] = Math.max(0, Math.min(value, 255));
  }
  return sharp(data, { raw: info }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
}

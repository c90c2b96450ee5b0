import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transformer } from '@napi-rs/image';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../src/decode.js';
import { readHeader } from '../src/header.js';
import { decodeJpegGray } from '../src/jpeg-gray.js';
import { grayResize } from '../src/resize.js';
import { SAMPLE_ROOT } from './helpers.js';

const grey = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0234.jpg'));
const colour = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0104.jpg'));

/** The general path: @napi-rs/image to RGB(A), then the kernel's Pillow luma and resize. */
function viaRgb(bytes: Uint8Array, size: number): Uint8Array {
  const { width, height } = readHeader(bytes);
  const raw = new Transformer(bytes).rawPixelsSync();
  const channels = (raw.length / (width * height)) as 1 | 3 | 4;
  return grayResize(new Uint8Array(raw), channels, width, height, size, size);
}

describe('decodeJpegGray', () => {
  it('takes every sample JPEG, grey and colour, and is what decodeGray returns for it', () => {
    const files = readdirSync(join(SAMPLE_ROOT, 'Testing'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.jpg'))
      .slice(0, 40);
    const components = new Set<number | undefined>();
    for (const file of files) {
      const bytes = readFileSync(join(SAMPLE_ROOT, 'Testing', file));
      const header = readHeader(bytes);
      components.add(header.components);
      const fast = decodeJpegGray(bytes, header, 64, 64);
      expect(fast, file).toBeInstanceOf(Uint8Array);
      expect(decodeGray(bytes, 64), file).toEqual(fast);
    }
    expect([...components].sort()).toEqual([1, 3]);
  });

  it("gives a colour JPEG's luma: within 2 grey levels of decoding to RGB and converting", () => {
    expect(readHeader(colour).components).toBe(3);
    const luma = decodeGray(colour, 128);
    const rgb = viaRgb(colour, 128);
    let worst = 0;
    let total = 0;
    for (let i = 0; i < luma.length; i++) {
      const d = Math.abs((luma[i] as number) - (rgb[i] as number));
      worst = Math.max(worst, d);
      total += d;
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(total / luma.length).toBeLessThan(0.4);
    expect(total).toBeGreaterThan(0); // two different decoders: equality would mean the fast path was not taken
  });

  it('gives the same bytes without the wasm kernel (decoded into its own buffer, scalar resize)', () => {
    for (const bytes of [grey, colour]) {
      const header = readHeader(bytes);
      const scalar = decodeJpegGray(bytes, header, 96, 80, null);
      expect(scalar).toHaveLength(96 * 80);
      expect(scalar).toEqual(decodeJpegGray(bytes, header, 96, 80));
    }
  });

  it('leaves CMYK, and streams libjpeg-turbo refuses, to the general decoder', async () => {
    const cmyk = await sharp(colour).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const header = readHeader(cmyk);
    expect(header.components).toBe(4);
    expect(decodeJpegGray(cmyk, header, 32, 32)).toBeUndefined();
    // Told it is a 3-component frame, libjpeg-turbo still reads the stream's four and fails: no throw, no pixels.
    expect(decodeJpegGray(cmyk, { ...header, components: 3 }, 32, 32)).toBeUndefined();
    expect(decodeGray(cmyk, 32)).toEqual(viaRgb(cmyk, 32));
  });

  it('reads a JPEG with stray bytes before its end marker, as Pillow does', () => {
    const stray = Buffer.concat([grey.subarray(0, -2), Buffer.from([1, 2, 3]), grey.subarray(-2)]);
    const header = readHeader(stray);
    expect(decodeJpegGray(stray, header, 64, 64)).toEqual(decodeGray(grey, 64));
  });
});

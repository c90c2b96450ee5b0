import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transformer } from '@napi-rs/image';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../src/decode.js';
import { ImageError } from '../src/errors.js';
import { readHeader } from '../src/header.js';
import { normalise } from '../src/normalise.js';
import { preprocess } from '../src/preprocess.js';
import { DEFAULT_SPEC, specFor } from '../src/spec.js';
import { SAMPLE_ROOT, scrambleHuffmanTable } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'pil');
const glioma = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0234.jpg'));
const colourJpeg = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0104.jpg'));

/** An RGBA image of three vertical bands, pure red, green and blue, `width` x `height`. */
function bands(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = Math.floor((x * 3) / width);
      rgba.set([band === 0 ? 255 : 0, band === 1 ? 255 : 0, band === 2 ? 255 : 0, 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

describe('preprocess', () => {
  it('gives size x size float32 values in the normalised range', async () => {
    const spec = specFor(64);
    const out = await preprocess(glioma, spec);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out).toHaveLength(64 * 64);
    const lo = (0 - spec.mean) / spec.std;
    const hi = (1 - spec.mean) / spec.std;
    const min = out.reduce((a, b) => Math.min(a, b));
    const max = out.reduce((a, b) => Math.max(a, b));
    expect(min).toBeGreaterThanOrEqual(lo - 1e-6);
    expect(max).toBeLessThanOrEqual(hi + 1e-6);
    expect(max - min).toBeGreaterThan(1); // a real picture, not a constant
  });

  it('gives identical output for identical bytes', async () => {
    const a = await preprocess(colourJpeg, DEFAULT_SPEC);
    const b = await preprocess(Buffer.from(colourJpeg), DEFAULT_SPEC);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('is normalise(decodeGray(...)): the cache path and the serving path cannot differ', async () => {
    const spec = { ...DEFAULT_SPEC, mean: 0.2, std: 0.7 };
    expect(await preprocess(glioma, spec)).toEqual(normalise(decodeGray(glioma, spec.size), spec));
  });

  // libjpeg-turbo's binding decodes with its fast integer IDCT, Pillow with the accurate one: a third of the pixels
  // come out one grey level darker (README, How an image becomes pixels).
  it('matches the reference (Pillow convert("L").resize) to within 2 grey levels, 1- and 3-channel', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.l8'));
    expect(files.map((f) => f.split('.').at(-2))).toEqual(expect.arrayContaining(['1band', '3band']));
    for (const file of files) {
      const source = join(SAMPLE_ROOT, file.replace(/\.\dband\.l8$/, '').replaceAll('__', '/'));
      const ours = decodeGray(readFileSync(source), 128);
      const theirs = readFileSync(join(FIXTURES, file));
      let exact = 0;
      let worst = 0;
      let total = 0;
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs((ours[i] as number) - (theirs[i] as number));
        worst = Math.max(worst, d);
        total += d;
        if (d === 0) exact++;
      }
      expect(worst, file).toBeLessThanOrEqual(2);
      expect(exact / ours.length, file).toBeGreaterThan(0.65);
      expect(total / ours.length, file).toBeLessThan(0.4);
    }
  });

  it('turns RGB input into one luma channel (ITU-R 601, as Pillow does)', () => {
    const rgba = bands(96, 32);
    const png = new Transformer(Transformer.fromRgbaPixels(rgba, 96, 32).pngSync()).pngSync();
    const gray = decodeGray(png, 96);
    expect(gray).toHaveLength(96 * 96);
    // Mid-band pixels of row 48: red, green, blue.
    expect([gray[48 * 96 + 16], gray[48 * 96 + 48], gray[48 * 96 + 80]]).toEqual([76, 150, 29]);
    const jpeg = Transformer.fromRgbaPixels(rgba, 96, 32).jpegSync(100);
    const fromJpeg = decodeGray(jpeg, 96);
    for (const [x, expected] of [
      [16, 76],
      [48, 150],
      [80, 29],
    ] as const) {
      expect(Math.abs((fromJpeg[48 * 96 + x] as number) - expected)).toBeLessThanOrEqual(3);
    }
  });

  it('reads a grey PNG as is', () => {
    const png = Transformer.fromRgbaPixels(new Uint8Array(8 * 8 * 4).fill(200), 8, 8)
      .grayscale()
      .pngSync();
    expect(readHeader(png)).toEqual({ format: 'png', width: 8, height: 8 });
    expect(decodeGray(png, 8)).toEqual(new Uint8Array(64).fill(200));
  });

  it('refuses an image over the pixel limit before decoding it', () => {
    expect(() => decodeGray(glioma, 128, { maxPixels: 224 * 224 - 1 })).toThrow(
      new ImageError('too-large', 'The image is 224x224 (50176 pixels), over the limit of 50175 pixels.'),
    );
    expect(decodeGray(glioma, 128, { maxPixels: 224 * 224 })).toHaveLength(128 * 128);
  });

  it('refuses empty, non-image, truncated and damaged input with typed errors', () => {
    const code = (bytes: Uint8Array) => {
      try {
        decodeGray(bytes, 32);
        return 'decoded';
      } catch (error) {
        expect(error).toBeInstanceOf(ImageError);
        expect((error as Error).message).toMatch(/^The .*\.$/);
        return (error as ImageError).code;
      }
    };
    expect(code(new Uint8Array())).toBe('empty');
    expect(code(Buffer.from('<html>not a picture</html>'))).toBe('not-an-image');
    expect(code(glioma.subarray(0, glioma.length / 2))).toBe('corrupt');
    expect(code(glioma.subarray(0, 40))).toBe('corrupt');
    expect(code(scrambleHuffmanTable(glioma))).toBe('corrupt');
  });
});

describe('normalise', () => {
  it('fills a batch in place at an offset, and refuses to overflow it', () => {
    const spec = { ...DEFAULT_SPEC, mean: 0.5, std: 0.5 };
    const batch = new Float32Array(6);
    normalise(new Uint8Array([0, 255, 51]), spec, batch, 3);
    expect([...batch]).toEqual([0, 0, 0, -1, 1, expect.closeTo(-0.6, 6)]);
    expect(() => normalise(new Uint8Array(4), spec, batch, 3)).toThrow(RangeError);
  });
});

describe('PNG layouts', () => {
  const PNGS = join(import.meta.dirname, 'fixtures', 'png');

  it.each(['l', 'la', 'rgb', 'rgba', 'p'])('decodes %s exactly as Pillow does', (mode) => {
    const ours = decodeGray(readFileSync(join(PNGS, `${mode}.png`)), 16);
    expect(Buffer.from(ours).equals(readFileSync(join(PNGS, `${mode}.l8`)))).toBe(true);
  });

  it('keeps the high byte of 16-bit grey (Pillow would clip it to white)', () => {
    const bytes = readFileSync(join(PNGS, 'i16.png'));
    // The 40x30 source holds (x * 6 % 256) * 257 in column x: its high byte is x * 6 % 256.
    const full = decodeGray(bytes, 40);
    expect(full).toHaveLength(1600);
    expect(Array.from(full.subarray(0, 40))).toEqual(Array.from({ length: 40 }, (_, x) => (x * 6) % 256));
  });
});

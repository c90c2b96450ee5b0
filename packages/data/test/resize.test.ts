import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lumaScalar } from '../src/luma.js';
import { seededRandom } from '../src/random.js';
import { grayResize, resizeGray } from '../src/resize.js';
import { resizeGrayScalar } from '../src/resize-scalar.js';
import { RESIZE_WASM_URL, wasmResizer } from '../src/resize-wasm.js';
import { tempDir } from './helpers.js';

function noise(width: number, height: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  // Smooth gradients plus noise: exercises both the clamping at 0/255 and ordinary values.
  return Uint8Array.from({ length: width * height }, (_, i) =>
    Math.min(255, Math.floor(((i % width) / width) * 200 + random() * 80)),
  );
}

describe('resizeGray', () => {
  it('runs on the WebAssembly SIMD kernel here', () => {
    expect(wasmResizer()).not.toBeNull();
  });

  it.each([
    [224, 224, 128, 128],
    [224, 224, 64, 64],
    [512, 512, 128, 128],
    [37, 101, 128, 64], // upscale one way, downscale the other, widths not multiples of 16
    [3000, 20, 16, 16], // strong downscale: wide filters
    [224, 224, 224, 100], // vertical pass only
    [224, 224, 100, 224], // horizontal pass only
    [1, 1, 5, 5],
  ])('gives the scalar code’s bytes exactly, %ix%i to %ix%i', (w, h, ow, oh) => {
    const src = noise(w, h, w * 7 + h);
    const fast = resizeGray(src, w, h, ow, oh);
    expect(fast).toHaveLength(ow * oh);
    expect(Buffer.from(fast).equals(Buffer.from(resizeGrayScalar(src, w, h, ow, oh)))).toBe(true);
  });

  it.each([3, 4] as const)(
    'converts %i-channel input to Pillow luma in the kernel, as the scalar code does',
    (channels) => {
      const [w, h] = [50, 30];
      const samples = noise(w * channels, h, channels);
      for (const [ow, oh] of [
        [16, 16],
        [w, h],
      ] as const) {
        const fast = grayResize(samples, channels, w, h, ow, oh);
        const slow = resizeGrayScalar(lumaScalar(samples, channels, w * h), w, h, ow, oh);
        expect(Buffer.from(fast).equals(Buffer.from(slow))).toBe(true);
      }
    },
  );

  it('returns a copy, not the input, when nothing changes', () => {
    const src = noise(20, 20, 5);
    const out = grayResize(src, 1, 20, 20, 20, 20);
    expect(out).toEqual(src);
    expect(out.buffer).not.toBe(src.buffer);
  });

  it('keeps a flat image flat and scales a ramp monotonically', () => {
    expect(resizeGray(new Uint8Array(224 * 224).fill(93), 224, 224, 128, 128)).toEqual(
      new Uint8Array(128 * 128).fill(93),
    );
    const ramp = Uint8Array.from({ length: 64 * 8 }, (_, i) => (i % 64) * 4);
    const row = resizeGray(ramp, 64, 8, 16, 2).subarray(0, 16);
    expect([...row].every((v, i) => i === 0 || v >= (row[i - 1] as number))).toBe(true);
  });

  it('ships the kernel built from wasm/resize.ts', () => {
    const out = join(tempDir(), 'resize.wasm');
    const asc = join(import.meta.dirname, '..', 'node_modules', '.bin', 'asc');
    const script = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).scripts[
      'build:wasm'
    ] as string;
    const args = script.split(' ').slice(1);
    args[args.indexOf('-o') + 1] = out;
    const build = spawnSync(asc, args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(RESIZE_WASM_URL))).toBe(true);
  });
});

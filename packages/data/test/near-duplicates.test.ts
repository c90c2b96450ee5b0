import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../src/decode.js';
import { groupNearDuplicates, imageSignature } from '../src/near-duplicates.js';
import { SAMPLE_ROOT } from '../src/paths.js';

const SIZE = 64;
const folder = join(SAMPLE_ROOT, 'Training', 'glioma');
const files = readdirSync(folder).sort().slice(0, 6);
const images = files.map((f) => decodeGray(readFileSync(join(folder, f)), SIZE));

/** A re-encode-like copy: contrast and brightness changed, a little pixel noise. */
function nearCopy(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const noise = ((i * 2654435761) >>> 28) - 8;
    out[i] = Math.max(0, Math.min(255, (pixels[i] as number) * 0.9 + 20 + noise));
  }
  return out;
}

describe('imageSignature', () => {
  it('ignores brightness and contrast, not content', () => {
    const image = images[0] as Uint8Array;
    const brighter = image.map((v) => Math.min(255, Math.round(v * 0.8 + 30)));
    const a = imageSignature(image, SIZE);
    const b = imageSignature(brighter, SIZE);
    const other = imageSignature(images[3] as Uint8Array, SIZE);
    const dot = (u: Float32Array, v: Float32Array) => u.reduce((s, x, i) => s + x * (v[i] as number), 0);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeGreaterThan(0.995);
    expect(dot(a, other)).toBeLessThan(0.98);
  });

  it('averages whole cells at sizes that are not multiples of 16', () => {
    const flat = new Uint8Array(50 * 50).map((_, i) => (i % 50 < 25 ? 10 : 200));
    const signature = imageSignature(flat, 50);
    expect(signature[0]).toBeLessThan(0);
    expect(signature[15]).toBeGreaterThan(0);
  });
});

describe('groupNearDuplicates', () => {
  it('groups identical files, near-copies and nothing else', () => {
    const rows = [...images, nearCopy(images[1] as Uint8Array), images[4] as Uint8Array];
    const hashes = [...files, 'copy-of-1', 'same-bytes-as-4'];
    hashes[7] = hashes[4] as string;
    const { groupOf, groups } = groupNearDuplicates((i) => rows[i] as Uint8Array, hashes, SIZE);
    expect(groupOf[6]).toBe(groupOf[1]);
    expect(groupOf[7]).toBe(groupOf[4]);
    expect(groups).toEqual(
      expect.arrayContaining([
        [1, 6],
        [4, 7],
      ]),
    );
    // The sample's different images stay apart: the groups above are the only ones.
    expect(groups.length).toBe(2);
  });

  it('keeps byte-identical files together even when their pixels would not match', () => {
    const blank = new Uint8Array(SIZE * SIZE);
    const { groups } = groupNearDuplicates(
      (i) => (i === 0 ? (images[0] as Uint8Array) : blank),
      ['same', 'same'],
      SIZE,
    );
    expect(groups).toEqual([[0, 1]]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../src/decode.js';
import { ImageError } from '../src/errors.js';
import { createDecodePool } from '../src/pool.js';
import { SAMPLE_ROOT } from './helpers.js';

describe('createDecodePool', () => {
  it('decodes on worker threads exactly as the calling thread does, and reports bad input as ImageError', async () => {
    const bytes = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0104.jpg'));
    const pool = createDecodePool({ size: 48, threads: 2, maxPixels: 100_000 });
    try {
      const results = await Promise.all(Array.from({ length: 12 }, () => pool.decode(bytes)));
      const inline = decodeGray(bytes, 48);
      for (const pixels of results) expect(pixels).toEqual(inline);
      await expect(pool.decode(new Uint8Array())).rejects.toEqual(
        new ImageError('empty', 'The file is empty (0 bytes).'),
      );
      const big = Buffer.from(bytes);
      big.writeUInt16BE(4000, big.indexOf(Buffer.from([0xff, 0xc0])) + 5); // frame header: height 4000
      await expect(pool.decode(big)).rejects.toMatchObject({ name: 'ImageError', code: 'too-large' });
    } finally {
      await pool.close();
    }
  });

  it('answers each task of a batch on its own: a bad image among good ones fails alone', async () => {
    const files = ['Testing/glioma/Tr-gl_0104.jpg', 'Testing/glioma/Tr-gl_0234.jpg'];
    const images = files.map((f) => readFileSync(join(SAMPLE_ROOT, f)));
    const pool = createDecodePool({ size: 32, threads: 2 });
    try {
      // Queued in one turn, so they travel in batches of several tasks.
      const tasks = Array.from({ length: 40 }, (_, i) =>
        i % 7 === 3 ? new Uint8Array() : (images[i % 2] as Uint8Array),
      );
      const settled = await Promise.allSettled(tasks.map((bytes) => pool.decode(bytes)));
      settled.forEach((result, i) => {
        if (i % 7 === 3) {
          expect(result.status, `task ${i}`).toBe('rejected');
          expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ImageError);
        } else {
          expect(result.status, `task ${i}`).toBe('fulfilled');
          expect((result as PromiseFulfilledResult<Uint8Array>).value).toEqual(
            decodeGray(tasks[i] as Uint8Array, 32),
          );
        }
      });
    } finally {
      await pool.close();
    }
  });
});

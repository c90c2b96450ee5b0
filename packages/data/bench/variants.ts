import { Transformer } from '@napi-rs/image';
import sharp from 'sharp';
import { decodeGray } from '../src/decode.js';
import { readHeader } from '../src/header.js';
import { createDecodePool } from '../src/pool.js';
import { grayResize } from '../src/resize.js';
import { resizeGrayScalar } from '../src/resize-scalar.js';

export interface Runner {
  (blobs: readonly Uint8Array[]): Promise<void>;
  close?: () => Promise<void>;
}

export interface Variant {
  readonly describe: string;
  prepare(options: { size: number; threads: number }): Promise<Runner>;
}

/** Runs `work` over the blobs with at most `inFlight` pending at once. */
async function bounded(
  blobs: readonly Uint8Array[],
  inFlight: number,
  work: (b: Uint8Array) => Promise<unknown>,
) {
  let next = 0;
  const lane = async () => {
    while (next < blobs.length) await work(blobs[next++] as Uint8Array);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

export const VARIANTS: Record<string, Variant> = {
  pool: {
    describe: 'the product path: decodeGray on one worker thread per core',
    async prepare({ size, threads }) {
      const pool = createDecodePool({ size, threads });
      // More queued than the pool keeps in flight, as `ensureProcessed` (which queues every file) does.
      const run: Runner = (blobs) => bounded(blobs, threads * 32, (b) => pool.decode(b));
      run.close = () => pool.close();
      return run;
    },
  },
  inline: {
    describe: 'decodeGray on the main thread, one image at a time',
    async prepare({ size }) {
      return async (blobs) => {
        for (const b of blobs) decodeGray(b, size);
      };
    },
  },
  'inline-rgb': {
    describe:
      'before issue 16: @napi-rs/image decodes to RGB, the kernel converts to grey and resizes, main thread',
    async prepare({ size }) {
      return async (blobs) => {
        for (const b of blobs) {
          const { width, height } = readHeader(b);
          const raw = new Transformer(b).rawPixelsSync();
          const channels = (raw.length / (width * height)) as 1 | 3 | 4;
          grayResize(
            new Uint8Array(raw.buffer, raw.byteOffset, raw.length),
            channels,
            width,
            height,
            size,
            size,
          );
        }
      };
    },
  },
  'inline-scalar': {
    describe: 'before the SIMD kernel: decoder grey output + the scalar JS resize, main thread',
    async prepare({ size }) {
      return async (blobs) => {
        for (const b of blobs) {
          const { width, height } = readHeader(b);
          const gray = new Uint8Array(new Transformer(b).grayscale().rawPixelsSync());
          resizeGrayScalar(gray, width, height, size, size);
        }
      };
    },
  },
  sharp: {
    describe: 'sharp defaults: grayscale().resize(fill).raw(), 4 in flight',
    async prepare({ size }) {
      return (blobs) =>
        bounded(blobs, 4, (b) => sharp(b).grayscale().resize(size, size, { fit: 'fill' }).raw().toBuffer());
    },
  },
  'sharp-tuned': {
    describe: 'sharp with cache off, concurrency 1, sequentialRead, 8 in flight',
    async prepare({ size }) {
      sharp.cache(false);
      sharp.concurrency(1);
      return (blobs) =>
        bounded(blobs, 8, (b) =>
          sharp(b, { sequentialRead: true }).grayscale().resize(size, size, { fit: 'fill' }).raw().toBuffer(),
        );
    },
  },
  napi: {
    describe:
      '@napi-rs/image alone: grayscale().resize(fill, CatmullRom).rawPixels(), 4 in flight (libuv pool)',
    async prepare({ size }) {
      return (blobs) =>
        bounded(blobs, 4, (b) =>
          new Transformer(b).grayscale().resize({ width: size, height: size, fit: 1, filter: 2 }).rawPixels(),
        );
    },
  },
};

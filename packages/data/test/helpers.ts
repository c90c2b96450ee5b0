import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from '@mri/logging';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { SAMPLE_ROOT } from '../src/paths.js';
import { copySample } from '../src/testing.js';

export { SAMPLE_ROOT };

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder removed after the test. */
export function tempDir(prefix = 'mri-data-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A small Kaggle-layout copy of the sample: `perClass` training images per class, no Testing split. */
export function sampleCopy(perClass = 6): string {
  return copySample(tempDir(), perClass);
}

export function writeFile(path: string, data: string | Uint8Array): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A copy of a JPEG whose first Huffman table (DHT segment) is overwritten with garbage. */
export function scrambleHuffmanTable(jpeg: Uint8Array): Buffer {
  const bytes = Buffer.from(jpeg);
  const dht = bytes.indexOf(Buffer.from([0xff, 0xc4]));
  bytes.fill(0x55, dht + 5, dht + 40);
  return bytes;
}

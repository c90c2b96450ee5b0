import { chmodSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Transformer } from '@napi-rs/image';
import { describe, expect, it } from 'vitest';
import { ensureProcessed } from '../src/cache.js';
import { DatasetError } from '../src/errors.js';
import { specFor } from '../src/spec.js';
import { captureLogger, sampleCopy, scrambleHuffmanTable, tempDir, writeFile } from './helpers.js';

/** Writes one bad file of each kind into a copy of the sample, made from real sample bytes. */
function datasetWithBadFiles(): { root: string; real: Buffer } {
  const root = sampleCopy(4);
  const real = readFileSync(join(root, 'Training/glioma', 'Tr-glTr_0000.jpg'));
  const dir = join(root, 'Training/meningioma');
  writeFile(join(dir, 'truncated.jpg'), real.subarray(0, Math.floor(real.length * 0.6)));
  writeFile(join(dir, 'corrupt.jpg'), scrambleHuffmanTable(real));
  writeFile(join(dir, 'empty.jpg'), new Uint8Array());
  writeFile(join(dir, 'notes.png'), 'meeting notes, saved with the wrong extension\n');
  // 3000 x 3000 grey pixels compress to a few KB: a small file that would decode to 9 M pixels.
  const bomb = Transformer.fromRgbaPixels(new Uint8Array(3000 * 3000 * 4), 3000, 3000)
    .grayscale()
    .pngSync();
  writeFile(join(dir, 'bomb.png'), bomb);
  symlinkSync(join(root, 'nowhere.jpg'), join(dir, 'unreadable.jpg'));
  return { root, real };
}

describe('bad inputs', () => {
  it('skips each bad file with one log line naming it, and counts it', async () => {
    const { root } = datasetWithBadFiles();
    const { logger, lines } = captureLogger();
    const { summary, dataset } = await ensureProcessed({
      root,
      spec: specFor(32),
      cacheDir: join(tempDir(), 'cache'),
      maxPixels: 4_000_000,
      logger,
      tty: false,
    });
    expect(summary.images).toBe(16);
    expect(summary.skipped).toBe(6);
    expect(summary.skippedByCode).toEqual({
      corrupt: 2,
      empty: 1,
      'not-an-image': 1,
      'too-large': 1,
      unreadable: 1,
    });
    const warnings = lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(6);
    const byFile = Object.fromEntries(warnings.map((l) => [l.file, l.msg]));
    const at = (name: string) => `Training/meningioma/${name}`;
    expect(byFile[at('truncated.jpg')]).toBe(
      `skipped ${at('truncated.jpg')}: The JPEG is truncated (no end-of-image marker).`,
    );
    expect(byFile[at('corrupt.jpg')]).toMatch(/The JPEG data is damaged and cannot be decoded/);
    expect(byFile[at('empty.jpg')]).toMatch(/The file is empty \(0 bytes\)\./);
    expect(byFile[at('notes.png')]).toMatch(/The file is not a JPEG or PNG image\./);
    expect(byFile[at('bomb.png')]).toMatch(/3000x3000 \(9000000 pixels\), over the limit of 4000000 pixels/);
    expect(byFile[at('unreadable.jpg')]).toMatch(/The file cannot be read \(ENOENT\)\./);
    expect(dataset.manifest.skipped.map((s) => s.path).sort()).toEqual(Object.keys(byFile).sort());
  });

  it('skips a file without read permission (when not running as root)', async () => {
    const root = sampleCopy(2);
    const file = join(root, 'Training/glioma', 'Tr-glTr_0000.jpg');
    chmodSync(file, 0o000);
    const expectedSkips = process.getuid?.() === 0 ? 0 : 1; // root reads anything; the symlink case covers it
    const { summary } = await ensureProcessed({
      root,
      spec: specFor(16),
      cacheDir: join(tempDir(), 'cache'),
      logger: captureLogger().logger,
      tty: false,
    });
    expect(summary.skipped).toBe(expectedSkips);
  });

  it('stops with one sentence when bad files leave a class empty', async () => {
    const root = sampleCopy(1);
    writeFile(join(root, 'Training/glioma', 'Tr-glTr_0000.jpg'), new Uint8Array());
    await expect(
      ensureProcessed({
        root,
        spec: specFor(16),
        cacheDir: join(tempDir(), 'cache'),
        logger: captureLogger().logger,
        tty: false,
      }),
    ).rejects.toThrow(
      new DatasetError('Class glioma has no usable training image left after skipping bad files.'),
    );
  });
});

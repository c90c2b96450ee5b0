import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ensureProcessed } from '../src/cache.js';
import { decodeGray } from '../src/decode.js';
import { DatasetError } from '../src/errors.js';
import { MANIFEST_FILE } from '../src/manifest.js';
import { normalise } from '../src/normalise.js';
import { loadProcessed } from '../src/processed.js';
import { specFor } from '../src/spec.js';
import { captureLogger, SAMPLE_ROOT, sampleCopy, tempDir } from './helpers.js';

const spec = specFor(32);

async function process(
  root: string,
  cacheDir: string,
  extra: Partial<Parameters<typeof ensureProcessed>[0]> = {},
) {
  const { logger, lines } = captureLogger();
  const result = await ensureProcessed({ root, spec, cacheDir, logger, tty: false, ...extra });
  return { ...result, lines };
}

describe('ensureProcessed', () => {
  it('writes uint8 tensors and a manifest that loads back as normalised input', async () => {
    const root = sampleCopy(5);
    const cacheDir = join(tempDir(), 'cache');
    const { dataset, summary } = await process(root, cacheDir);
    expect(summary).toMatchObject({ reused: false, images: 20, decoded: 20, skipped: 0, size: 32 });
    expect(summary.classes).toEqual({ glioma: 5, meningioma: 5, notumor: 5, pituitary: 5 });
    expect(summary.train + summary.validation).toBe(20);
    expect(summary.validation).toBe(4); // one per class at 0.2
    const manifest = JSON.parse(readFileSync(join(cacheDir, MANIFEST_FILE), 'utf8'));
    expect(manifest).toMatchObject({
      dtype: 'uint8',
      shape: [20, 32, 32, 1],
      spec,
      classNames: dataset.classNames,
    });
    expect(manifest.samples[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(cacheDir, manifest.data)).length).toBe(20 * 32 * 32);
    const loaded = loadProcessed(cacheDir);
    expect(loaded.labels).toEqual(dataset.labels);
    const first = loaded.manifest.samples[0];
    const expected = normalise(decodeGray(readFileSync(join(root, first?.path ?? '')), 32), spec);
    expect(loaded.images([0])).toEqual(expected);
    expect(loaded.images([1, 0]).subarray(32 * 32)).toEqual(expected);
  });

  it('reuses an unchanged cache without decoding, and gives the same split', async () => {
    const root = sampleCopy(5);
    const cacheDir = join(tempDir(), 'cache');
    const first = await process(root, cacheDir);
    const manifestBefore = readFileSync(join(cacheDir, MANIFEST_FILE), 'utf8');
    const second = await process(root, cacheDir);
    expect(second.summary).toMatchObject({ reused: true, decoded: 0, images: 20 });
    expect(readFileSync(join(cacheDir, MANIFEST_FILE), 'utf8')).toBe(manifestBefore);
    expect(second.dataset.split).toEqual(first.dataset.split);
    expect(second.dataset.pixels).toEqual(first.dataset.pixels);
  });

  it('rebuilds when a file changes, decoding only the changed one', async () => {
    const root = sampleCopy(5);
    const cacheDir = join(tempDir(), 'cache');
    const first = await process(root, cacheDir);
    const target = join(root, first.dataset.manifest.samples[3]?.path ?? '');
    const replacement = readFileSync(join(SAMPLE_ROOT, 'Testing/glioma/Tr-gl_0104.jpg')); // not in the copy
    writeFileSync(target, replacement);
    const second = await process(root, cacheDir);
    expect(second.summary).toMatchObject({ reused: false, decoded: 1, images: 20 });
    const area = 32 * 32;
    expect(second.dataset.pixels.subarray(3 * area, 4 * area)).toEqual(decodeGray(replacement, 32));
    expect(second.dataset.pixels.subarray(4 * area)).toEqual(first.dataset.pixels.subarray(4 * area));
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('pixels-'))).toHaveLength(1);
  });

  it('rebuilds when the spec changes', async () => {
    const root = sampleCopy(2);
    const cacheDir = join(tempDir(), 'cache');
    await process(root, cacheDir);
    const moved = await process(root, cacheDir, { spec: { ...spec, mean: 0.4 } });
    expect(moved.summary.reused).toBe(false);
    expect(moved.summary.decoded).toBe(0); // same size: pixels come from the previous cache
    expect(loadProcessed(cacheDir).spec.mean).toBe(0.4);
    const resized = await process(root, cacheDir, { spec: specFor(16) });
    expect(resized.summary).toMatchObject({ reused: false, decoded: 8, size: 16 });
    expect(resized.dataset.pixels).toHaveLength(8 * 16 * 16);
  });

  it('leaves the previous cache intact when a run is interrupted mid-decode', async () => {
    const root = sampleCopy(5);
    const cacheDir = join(tempDir(), 'cache');
    await process(root, cacheDir);
    const before = loadProcessed(cacheDir);
    // A new size: every image must be decoded again. Interrupt once the first progress line is logged.
    const controller = new AbortController();
    const interrupter = new Writable({
      write(chunk, _encoding, done) {
        if (String(chunk).includes('decoding: ')) controller.abort(new Error('interrupted'));
        done();
      },
    });
    await expect(
      ensureProcessed({
        root,
        spec: specFor(24),
        cacheDir,
        logger: pino(interrupter),
        tty: false,
        signal: controller.signal,
      }),
    ).rejects.toThrow('interrupted');
    expect(controller.signal.aborted).toBe(true);
    // A crash between writing the pixels and the manifest leaves a temp file behind; it must not matter.
    // (Its name says its writer, a pid no process has, is gone: the next write removes it.)
    writeFileSync(join(cacheDir, '.tmp-4194305-0-0123456789ab-manifest.json'), '{"half": ');
    const after = loadProcessed(cacheDir);
    expect(after.manifest).toEqual(before.manifest);
    expect(after.pixels).toEqual(before.pixels);
    rmSync(join(root, before.manifest.samples[0]?.path ?? ''));
    const rebuilt = await process(root, cacheDir);
    expect(rebuilt.summary).toMatchObject({ images: 19, decoded: 0 });
    expect(readdirSync(cacheDir).some((f) => f.startsWith('.tmp-'))).toBe(false);
  });

  it('decodes on worker threads when there is enough work, with the same pixels', async () => {
    const root = sampleCopy(20);
    const viaPool = await process(root, join(tempDir(), 'a'), { threads: 2 });
    expect(viaPool.summary.decoded).toBe(80);
    const area = 32 * 32;
    viaPool.dataset.manifest.samples.forEach((sample, i) => {
      const inline = decodeGray(readFileSync(join(root, sample.path)), 32);
      expect(viaPool.dataset.pixels.subarray(i * area, (i + 1) * area)).toEqual(inline);
    });
  });

  it('keeps the Testing split apart from train and validation', async () => {
    const { summary, dataset } = await process(SAMPLE_ROOT, join(tempDir(), 'cache'), { threads: 2 });
    expect(summary).toMatchObject({ images: 200, train: 128, validation: 32, test: 40 });
    const { train, validation, test } = dataset.split;
    expect(new Set([...train, ...validation, ...test]).size).toBe(200);
    expect(test.every((i) => dataset.manifest.samples[i]?.set === 'testing')).toBe(true);
  });

  it('refuses a cache folder without a manifest', () => {
    expect(() => loadProcessed(tempDir())).toThrow(DatasetError);
  });

  it('reports a damaged pixel file instead of loading it', async () => {
    const root = sampleCopy(1);
    const cacheDir = join(tempDir(), 'cache');
    const { dataset } = await process(root, cacheDir);
    writeFileSync(join(cacheDir, dataset.manifest.data), 'short');
    expect(() => loadProcessed(cacheDir)).toThrow(/missing or damaged/);
    const again = await process(root, cacheDir);
    expect(again.summary).toMatchObject({ reused: false, images: 4 });
    expect(again.lines().some((l) => l.msg === 'processed cache is damaged; rebuilding it')).toBe(true);
    expect(loadProcessed(cacheDir).pixels).toEqual(dataset.pixels);
  });
});

describe('near-copies in the split', () => {
  it('keeps copies of one image on one side, and splits alike at every image size', async () => {
    const root = sampleCopy(10);
    // Three byte-identical copies of one glioma image: one group, whichever side it lands on.
    const folder = join(root, 'Training', 'glioma');
    const first = readdirSync(folder).sort()[0] as string;
    for (const copy of ['copy-a.jpg', 'copy-b.jpg'])
      writeFileSync(join(folder, copy), readFileSync(join(folder, first)));
    const at = async (size: number) => {
      const { logger } = captureLogger();
      return ensureProcessed({
        root,
        spec: specFor(size),
        cacheDir: join(tempDir(), 'cache'),
        validationFraction: 0.3,
        logger,
        tty: false,
      });
    };
    const small = await at(32);
    const large = await at(48);
    const paths = (d: typeof small.dataset, which: 'train' | 'validation') =>
      d.split[which].map((i) => d.manifest.samples[i]?.path);
    expect(paths(large.dataset, 'validation')).toEqual(paths(small.dataset, 'validation'));
    const copies = ['copy-a.jpg', 'copy-b.jpg', first].map((f) => `Training/glioma/${f}`);
    const inValidation = copies.filter((p) => paths(small.dataset, 'validation').includes(p));
    expect([0, 3]).toContain(inValidation.length);
    expect(small.summary.duplicates).toMatchObject({ identicalGroups: 1, identicalImages: 3 });
    expect(small.summary.duplicates.largest).toBeGreaterThanOrEqual(3);
  });
});

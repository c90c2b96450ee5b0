import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';
import { DEFAULT_MAX_PIXELS, decodeGray } from './decode.js';
import { type Dataset, discoverDataset } from './discover.js';
import { DatasetError, ImageError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import {
  MANIFEST_FILE,
  type Manifest,
  type ManifestSample,
  type ManifestSkipped,
  PIPELINE,
  readManifest,
  type SampleSet,
} from './manifest.js';
import { CACHE_ROOT } from './paths.js';
import { createDecodePool } from './pool.js';
import { openProcessed, type ProcessedDataset } from './processed.js';
import { createProgress } from './progress.js';
import type { PreprocessingSpec } from './spec.js';
import { stratifiedSplit } from './split.js';

export interface ProcessOptions {
  readonly root: string;
  readonly spec: PreprocessingSpec;
  /** Folder for this dataset's cache; defaults to `.cache/processed/<name>-<size>px-<hash of root>`. */
  readonly cacheDir?: string;
  readonly validationFraction?: number;
  readonly seed?: number;
  readonly maxPixels?: number;
  /** Worker threads for decoding; small datasets are decoded on the calling thread. */
  readonly threads?: number;
  readonly logger?: Logger;
  /** Show a progress bar (default: when stderr is a TTY). */
  readonly tty?: boolean;
  readonly signal?: AbortSignal;
}

export interface ProcessSummary {
  readonly root: string;
  readonly cacheDir: string;
  /** True when the cache was already up to date and nothing was decoded or written. */
  readonly reused: boolean;
  readonly images: number;
  readonly decoded: number;
  readonly skipped: number;
  readonly skippedByCode: Readonly<Record<string, number>>;
  readonly classes: Readonly<Record<string, number>>;
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  readonly size: number;
  readonly seconds: number;
}

interface Input {
  readonly path: string;
  readonly set: SampleSet;
  readonly label: number;
  readonly bytes?: Uint8Array;
  readonly sha256: string | null;
  readonly readError?: string;
}

/** Below this many images to decode, starting worker threads costs more than it saves. */
const POOL_THRESHOLD = 64;

export function defaultCacheDir(root: string, size: number): string {
  const name = basename(root).replace(/[^\w.-]+/g, '_') || 'dataset';
  const rootHash = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return join(CACHE_ROOT, `${name}-${size}px-${rootHash}`);
}

/**
 * Brings the processed cache of a dataset up to date and returns it. Unchanged inputs (same files, same bytes,
 * same spec and pipeline): nothing is decoded. Changed inputs: only files whose content is new are decoded, the
 * rest is copied from the previous cache. The new cache replaces the old one atomically.
 */
export async function ensureProcessed(
  options: ProcessOptions,
): Promise<{ dataset: ProcessedDataset; summary: ProcessSummary }> {
  const started = performance.now();
  const logger = options.logger ?? createLogger();
  const dataset = discoverDataset(options.root);
  const { spec } = options;
  const cacheDir = options.cacheDir ?? defaultCacheDir(dataset.root, spec.size);
  const splitOptions = { seed: options.seed ?? 42, validationFraction: options.validationFraction ?? 0.2 };
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const inputs = await readInputs(dataset);
  const key = cacheKey(dataset, inputs, spec, splitOptions, maxPixels);
  const previous = readManifest(cacheDir);
  if (previous?.key === key) {
    try {
      const processed = loadFrom(cacheDir, previous);
      return { dataset: processed, summary: summarise(processed, cacheDir, true, 0, started) };
    } catch {
      logger.warn({ cacheDir }, 'processed cache is damaged; rebuilding it');
    }
  }
  const reusable = previous ? reusableRows(cacheDir, previous, spec) : new Map<string, Uint8Array>();
  const { rows, samples, skipped, decoded } = await decodeInputs(inputs, reusable, spec.size, maxPixels, {
    ...options,
    logger,
  });
  checkNoEmptyClass(dataset, samples);
  const trainingRows = samples.flatMap((s, i) => (s.set === 'training' ? [i] : []));
  const split = stratifiedSplit(
    trainingRows.map((i) => (samples[i] as ManifestSample).label),
    splitOptions,
  );
  const manifest: Manifest = {
    format: 'mri-processed',
    version: 1,
    key,
    pipeline: PIPELINE,
    spec,
    root: dataset.root,
    classNames: dataset.classNames,
    data: `pixels-${key.slice(0, 16)}.u8`,
    dtype: 'uint8',
    shape: [samples.length, spec.size, spec.size, 1],
    samples,
    skipped,
    split: {
      ...splitOptions,
      train: split.train.map((i) => trainingRows[i] as number),
      validation: split.validation.map((i) => trainingRows[i] as number),
      test: samples.flatMap((s, i) => (s.set === 'testing' ? [i] : [])),
    },
    createdAt: new Date().toISOString(),
  };
  const pixels = concatRows(rows, spec.size);
  options.signal?.throwIfAborted();
  writeCache(cacheDir, manifest, pixels);
  const processed = openProcessed(manifest, pixels);
  return { dataset: processed, summary: summarise(processed, cacheDir, false, decoded, started) };
}

async function readInputs(dataset: Dataset): Promise<Input[]> {
  const entries = [
    ...dataset.training.map((f) => ({ ...f, set: 'training' as const })),
    ...dataset.testing.map((f) => ({ ...f, set: 'testing' as const })),
  ];
  const inputs: Input[] = new Array(entries.length);
  let next = 0;
  const readOne = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index] as (typeof entries)[number];
      try {
        const bytes = await readFile(join(dataset.root, entry.path));
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        inputs[index] = { ...entry, bytes, sha256 };
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        inputs[index] = { ...entry, sha256: null, readError: reason };
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, readOne));
  return inputs;
}

function cacheKey(
  dataset: Dataset,
  inputs: readonly Input[],
  spec: PreprocessingSpec,
  split: { seed: number; validationFraction: number },
  maxPixels: number,
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ pipeline: PIPELINE, spec, split, maxPixels, classNames: dataset.classNames }));
  for (const input of inputs) hash.update(`\n${input.set}\t${input.label}\t${input.path}\t${input.sha256}`);
  return hash.digest('hex');
}

function loadFrom(cacheDir: string, manifest: Manifest): ProcessedDataset {
  const bytes = readFileSync(join(cacheDir, manifest.data));
  const expected = manifest.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) throw new Error('size mismatch');
  return openProcessed(manifest, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
}

/** Rows of the previous cache by content hash, when they were made by the same pipeline at the same size. */
function reusableRows(
  cacheDir: string,
  previous: Manifest,
  spec: PreprocessingSpec,
): Map<string, Uint8Array> {
  const rows = new Map<string, Uint8Array>();
  if (previous.pipeline !== PIPELINE || previous.spec.size !== spec.size) return rows;
  try {
    const old = loadFrom(cacheDir, previous);
    const area = spec.size * spec.size;
    previous.samples.forEach((s, i) => {
      rows.set(s.sha256, old.pixels.subarray(i * area, (i + 1) * area));
    });
  } catch {
    // a damaged previous cache simply contributes nothing
  }
  return rows;
}

async function decodeInputs(
  inputs: readonly Input[],
  reusable: ReadonlyMap<string, Uint8Array>,
  size: number,
  maxPixels: number,
  options: ProcessOptions & { logger: Logger },
): Promise<{ rows: Uint8Array[]; samples: ManifestSample[]; skipped: ManifestSkipped[]; decoded: number }> {
  const { logger, signal } = options;
  const todo = inputs.filter((i) => i.bytes && !reusable.has(i.sha256 as string));
  const pool =
    todo.length >= POOL_THRESHOLD ? createDecodePool({ size, maxPixels, threads: options.threads }) : null;
  const decodeOne = (bytes: Uint8Array): Promise<Uint8Array> =>
    pool ? pool.decode(bytes) : Promise.resolve().then(() => decodeGray(bytes, size, { maxPixels }));
  const progress = createProgress(todo.length, 'decoding', logger, options.tty);
  const results = new Map<Input, Uint8Array | ImageError>();
  try {
    await Promise.all(
      todo.map(async (input) => {
        signal?.throwIfAborted();
        try {
          results.set(input, await decodeOne(input.bytes as Uint8Array));
        } catch (error) {
          if (!(error instanceof ImageError)) throw error;
          results.set(input, error);
        }
        progress.tick();
      }),
    );
  } finally {
    progress.stop();
    await pool?.close();
  }
  signal?.throwIfAborted();
  const rows: Uint8Array[] = [];
  const samples: ManifestSample[] = [];
  const skipped: ManifestSkipped[] = [];
  for (const input of inputs) {
    const outcome = input.readError
      ? new ImageError('unreadable', `The file cannot be read (${input.readError}).`)
      : (results.get(input) ?? reusable.get(input.sha256 as string));
    if (outcome instanceof ImageError || !outcome) {
      const error = outcome ?? new ImageError('unreadable', 'The file was not decoded.');
      logger.warn({ file: input.path, code: error.code }, `skipped ${input.path}: ${error.message}`);
      skipped.push({
        path: input.path,
        set: input.set,
        sha256: input.sha256,
        code: error.code,
        message: error.message,
      });
      continue;
    }
    rows.push(outcome);
    samples.push({ path: input.path, set: input.set, label: input.label, sha256: input.sha256 as string });
  }
  return { rows, samples, skipped, decoded: todo.length };
}

function checkNoEmptyClass(dataset: Dataset, samples: readonly ManifestSample[]): void {
  dataset.classNames.forEach((name, label) => {
    if (!samples.some((s) => s.set === 'training' && s.label === label)) {
      throw new DatasetError(`Class ${name} has no usable training image left after skipping bad files.`);
    }
  });
}

function concatRows(rows: readonly Uint8Array[], size: number): Uint8Array {
  const area = size * size;
  const pixels = new Uint8Array(rows.length * area);
  rows.forEach((row, i) => {
    pixels.set(row, i * area);
  });
  return pixels;
}

/** Pixels first, manifest last: until the manifest's rename, readers keep seeing the previous, complete cache. */
function writeCache(cacheDir: string, manifest: Manifest, pixels: Uint8Array): void {
  mkdirSync(cacheDir, { recursive: true });
  removeStaleTemps(cacheDir);
  writeFileAtomic(join(cacheDir, manifest.data), pixels);
  writeFileAtomic(join(cacheDir, MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith('pixels-') && name !== manifest.data) rmSync(join(cacheDir, name), { force: true });
  }
}

function summarise(
  processed: ProcessedDataset,
  cacheDir: string,
  reused: boolean,
  decoded: number,
  started: number,
): ProcessSummary {
  const { manifest } = processed;
  const classes: Record<string, number> = {};
  const skippedByCode: Record<string, number> = {};
  for (const name of manifest.classNames) classes[name] = 0;
  for (const s of manifest.samples) {
    const name = manifest.classNames[s.label] as string;
    classes[name] = (classes[name] ?? 0) + 1;
  }
  for (const s of manifest.skipped) skippedByCode[s.code] = (skippedByCode[s.code] ?? 0) + 1;
  return {
    root: manifest.root,
    cacheDir,
    reused,
    images: processed.count,
    decoded,
    skipped: manifest.skipped.length,
    skippedByCode,
    classes,
    train: manifest.split.train.length,
    validation: manifest.split.validation.length,
    test: manifest.split.test.length,
    size: manifest.spec.size,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

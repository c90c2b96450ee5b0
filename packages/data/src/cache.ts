import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { removeStaleTempsSync, writeFileAtomicSync } from '@mri/atomic-file';
import { createLogger, createProgress, type Logger } from '@mri/logging';
import { DEFAULT_MAX_PIXELS, decodeGray } from './decode.js';
import { type Dataset, discoverDataset } from './discover.js';
import { ensureDuplicateGroups, GROUPING_SIZE } from './duplicate-groups.js';
import { DatasetError, ImageError } from './errors.js';
import { cacheKey, type Input, readInputs } from './inputs.js';
import {
  MANIFEST_FILE,
  type Manifest,
  type ManifestSample,
  type ManifestSkipped,
  PIPELINE,
  readManifest,
} from './manifest.js';
import { DEFAULT_GROUPING, type GroupingOptions } from './near-duplicates.js';
import { CACHE_ROOT } from './paths.js';
import { createDecodePool } from './pool.js';
import { openProcessed, type ProcessedDataset, readPixels } from './processed.js';
import type { PreprocessingSpec } from './spec.js';
import { stratifiedSplit } from './split.js';
import { type ProcessSummary, summarise } from './summary.js';

export interface ProcessOptions {
  readonly root: string;
  readonly spec: PreprocessingSpec;
  /** Folder for this dataset's cache; defaults to `.cache/processed/<name>-<size>px-<hash of root>`. */
  readonly cacheDir?: string;
  readonly validationFraction?: number;
  readonly seed?: number;
  /** How near-copies are found; the split keeps each group of them on one side. */
  readonly grouping?: GroupingOptions;
  readonly maxPixels?: number;
  /** Worker threads for decoding (1: the calling thread). Default: one per core for large jobs, else 1. */
  readonly threads?: number;
  readonly logger?: Logger;
  /** Show a progress bar (default: when stderr is a TTY). */
  readonly tty?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Below this many images to decode, starting worker threads (each loads the TypeScript loader, ~0.5-1 s) costs
 * more than it saves: the embedded sample decodes on the main thread in a fraction of a second.
 */
const POOL_THRESHOLD = 1000;

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
  const logger = options.logger ?? createLogger({ name: 'data' });
  const dataset = discoverDataset(options.root);
  const { spec } = options;
  const cacheDir = options.cacheDir ?? defaultCacheDir(dataset.root, spec.size);
  const splitOptions = {
    seed: options.seed ?? 42,
    validationFraction: options.validationFraction ?? 0.2,
    // The decode size is part of what the split depends on, so it is recorded (and keys the cache) too.
    grouping: { ...(options.grouping ?? DEFAULT_GROUPING), decodedAt: GROUPING_SIZE },
  };
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
  const duplicateGroups = await ensureDuplicateGroups(
    samples.filter((s) => s.set === 'training').map((s) => s.sha256),
    splitOptions.grouping,
    (unique) => decodeForGrouping(inputs, unique, maxPixels, { ...options, logger }),
  );
  const manifest = buildManifest({ key, spec, dataset, samples, skipped, splitOptions, duplicateGroups });
  const pixels = concatRows(rows, spec.size);
  options.signal?.throwIfAborted();
  writeCache(cacheDir, manifest, pixels);
  const processed = openProcessed(manifest, pixels);
  return { dataset: processed, summary: summarise(processed, cacheDir, false, decoded, started) };
}

function buildManifest(parts: {
  key: string;
  spec: PreprocessingSpec;
  dataset: Dataset;
  samples: ManifestSample[];
  skipped: ManifestSkipped[];
  splitOptions: {
    seed: number;
    validationFraction: number;
    grouping: GroupingOptions & { decodedAt: number };
  };
  /** Near-copy groups as content hashes (duplicate-groups.ts). */
  duplicateGroups: readonly (readonly string[])[];
}): Manifest {
  const { key, spec, dataset, samples, skipped, splitOptions, duplicateGroups } = parts;
  const trainingRows = samples.flatMap((s, i) => (s.set === 'training' ? [i] : []));
  // Byte-identical files share a hash, so they share a group even when no other image is near them.
  const groupOfHash = new Map<string, number>();
  duplicateGroups.forEach((hashes, id) => {
    for (const hash of hashes) groupOfHash.set(hash, id);
  });
  const groupOf = trainingRows.map((i) => {
    const hash = (samples[i] as ManifestSample).sha256;
    let id = groupOfHash.get(hash);
    if (id === undefined) {
      id = groupOfHash.size;
      groupOfHash.set(hash, id);
    }
    return id;
  });
  const members = new Map<number, number[]>();
  trainingRows.forEach((i, position) => {
    const id = groupOf[position] as number;
    const group = members.get(id);
    if (group) group.push(i);
    else members.set(id, [i]);
  });
  const groups = [...members.values()]
    .filter((m) => m.length > 1)
    .sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
  const split = stratifiedSplit(
    trainingRows.map((i) => (samples[i] as ManifestSample).label),
    splitOptions,
    groupOf,
  );
  return {
    format: 'mri-processed',
    version: 2,
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
      groups,
      test: samples.flatMap((s, i) => (s.set === 'testing' ? [i] : [])),
    },
    createdAt: new Date().toISOString(),
  };
}

function loadFrom(cacheDir: string, manifest: Manifest): ProcessedDataset {
  return openProcessed(manifest, readPixels(cacheDir, manifest));
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
  options: ProcessOptions & { logger: Logger; label?: string },
): Promise<{ rows: Uint8Array[]; samples: ManifestSample[]; skipped: ManifestSkipped[]; decoded: number }> {
  const { logger, signal } = options;
  const todo = inputs.filter((i) => i.bytes && !reusable.has(i.sha256 as string));
  const pool =
    todo.length >= POOL_THRESHOLD ? createDecodePool({ size, maxPixels, threads: options.threads }) : null;
  const decodeOne = (bytes: Uint8Array): Promise<Uint8Array> =>
    pool ? pool.decode(bytes) : Promise.resolve().then(() => decodeGray(bytes, size, { maxPixels }));
  const progress = createProgress({
    log: logger,
    ...(options.tty === undefined ? {} : { tty: options.tty }),
  });
  progress.start(todo.length, options.label ?? 'decoding');
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

/** The training images with these content hashes (one file each), decoded at the size near-copies are found at. */
async function decodeForGrouping(
  inputs: readonly Input[],
  hashes: readonly string[],
  maxPixels: number,
  options: ProcessOptions & { logger: Logger },
): Promise<{ rows: Uint8Array[]; hashes: string[] }> {
  const byHash = new Map<string, Input>();
  for (const input of inputs) {
    if (input.set === 'training' && input.sha256 && !byHash.has(input.sha256))
      byHash.set(input.sha256, input);
  }
  const todo = hashes.flatMap((hash) => byHash.get(hash) ?? []);
  const { rows, samples } = await decodeInputs(todo, new Map(), GROUPING_SIZE, maxPixels, {
    ...options,
    label: 'finding near-copies',
  });
  return { rows, hashes: samples.map((s) => s.sha256) };
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
  removeStaleTempsSync(cacheDir);
  writeFileAtomicSync(join(cacheDir, manifest.data), pixels);
  writeFileAtomicSync(join(cacheDir, MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith('pixels-') && name !== manifest.data) rmSync(join(cacheDir, name), { force: true });
  }
}

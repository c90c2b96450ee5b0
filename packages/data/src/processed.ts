import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './errors.js';
import { type Manifest, readManifest } from './manifest.js';
import { normalise } from './normalise.js';
import type { PreprocessingSpec } from './spec.js';

/** A processed dataset in memory: 8-bit pixels as cached, turned into model input only through `normalise`. */
export interface ProcessedDataset {
  readonly manifest: Manifest;
  readonly spec: PreprocessingSpec;
  readonly classNames: readonly string[];
  /** count x size x size uint8, row-major. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly split: Manifest['split'];
  /** Normalised float input for the given sample indices, concatenated: [n, size, size, 1]. */
  images(indices: readonly number[]): Float32Array;
}

export function openProcessed(manifest: Manifest, pixels: Uint8Array): ProcessedDataset {
  const { spec } = manifest;
  const area = spec.size * spec.size;
  const labels = Uint8Array.from(manifest.samples, (s) => s.label);
  return {
    manifest,
    spec,
    classNames: manifest.classNames,
    pixels,
    labels,
    count: manifest.samples.length,
    split: manifest.split,
    images(indices) {
      const out = new Float32Array(indices.length * area);
      indices.forEach((index, i) => {
        if (!(index >= 0 && index < manifest.samples.length)) throw new RangeError(`No sample ${index}.`);
        normalise(pixels.subarray(index * area, (index + 1) * area), spec, out, i * area);
      });
      return out;
    },
  };
}

/** The pixel file of a manifest, checked against the shape the manifest records. */
export function readPixels(cacheDir: string, manifest: Manifest): Uint8Array {
  const dataPath = join(cacheDir, manifest.data);
  const expected = manifest.shape.reduce((a, b) => a * b, 1);
  const bytes = existsSync(dataPath) ? readFileSync(dataPath) : undefined;
  if (!bytes || bytes.length !== expected) {
    throw new DatasetError(
      `Processed data ${dataPath} is missing or damaged; run \`pnpm data process\` again.`,
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Loads a cache folder written by `ensureProcessed`, checking that the pixel file matches its manifest. */
export function loadProcessed(cacheDir: string): ProcessedDataset {
  const manifest = readManifest(cacheDir);
  if (!manifest) {
    throw new DatasetError(`No processed dataset in ${cacheDir}; run \`pnpm data process\` first.`);
  }
  return openProcessed(manifest, readPixels(cacheDir, manifest));
}

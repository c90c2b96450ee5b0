import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageErrorCode } from './errors.js';
import type { GroupingOptions } from './near-duplicates.js';
import type { PreprocessingSpec } from './spec.js';

/** Names the pixel pipeline (decoder + resampler). Bump when its output changes: old caches are then rebuilt. */
export const PIPELINE = 'julusian-jpeg-turbo-2.3.0-gray/napi-rs-image-1.15.0/pillow-luma/pillow-bicubic';

export type SampleSet = 'training' | 'testing';

export interface ManifestSample {
  /** Relative to the dataset root, `/`-separated. */
  readonly path: string;
  readonly set: SampleSet;
  readonly label: number;
  readonly sha256: string;
}

export interface ManifestSkipped {
  readonly path: string;
  readonly set: SampleSet;
  readonly sha256: string | null;
  readonly code: ImageErrorCode;
  readonly message: string;
}

export interface Manifest {
  readonly format: 'mri-processed';
  readonly version: 2;
  /** Hash of everything the pixels depend on: pipeline, spec, split options, every input path and content hash. */
  readonly key: string;
  readonly pipeline: string;
  readonly spec: PreprocessingSpec;
  readonly root: string;
  readonly classNames: readonly string[];
  /** Pixel file next to the manifest: `shape` uint8 values, row-major, one row per entry of `samples`. */
  readonly data: string;
  readonly dtype: 'uint8';
  readonly shape: readonly [number, number, number, number];
  readonly samples: readonly ManifestSample[];
  readonly skipped: readonly ManifestSkipped[];
  /**
   * Indices into `samples`. `train` and `validation` partition the training set, keeping each group of near-copies
   * (`groups`: the training set's groups of two or more, largest first) on one side; `test` is the testing set.
   */
  readonly split: {
    readonly seed: number;
    readonly validationFraction: number;
    /** How near-copies were found: the options and the side images were decoded at for it. */
    readonly grouping: GroupingOptions & { readonly decodedAt: number };
    readonly train: readonly number[];
    readonly validation: readonly number[];
    readonly groups: readonly (readonly number[])[];
    readonly test: readonly number[];
  };
  readonly createdAt: string;
}

export const MANIFEST_FILE = 'manifest.json';

export function readManifest(cacheDir: string): Manifest | undefined {
  const path = join(cacheDir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    return manifest.format === 'mri-processed' && manifest.version === 2 ? manifest : undefined;
  } catch {
    return undefined; // unreadable manifest: treated as no cache, rebuilt
  }
}

import type { Manifest, ManifestSample } from './manifest.js';
import type { ProcessedDataset } from './processed.js';

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
  /** Near-copies in the training set, which the split keeps on one side each (near-duplicates.ts). */
  readonly duplicates: DuplicateSummary;
  readonly size: number;
  readonly seconds: number;
}

export interface DuplicateSummary {
  /** Groups of two or more near-copies, and how many images they hold. */
  readonly groups: number;
  readonly images: number;
  readonly largest: number;
  /** Of those, groups of byte-identical files, and how many files they hold. */
  readonly identicalGroups: number;
  readonly identicalImages: number;
  readonly maxDistance: number;
}

export function duplicateSummary(manifest: Manifest): DuplicateSummary {
  const byHash = new Map<string, number>();
  for (const i of [...manifest.split.train, ...manifest.split.validation]) {
    const hash = (manifest.samples[i] as ManifestSample).sha256;
    byHash.set(hash, (byHash.get(hash) ?? 0) + 1);
  }
  const identical = [...byHash.values()].filter((n) => n > 1);
  const { groups } = manifest.split;
  return {
    groups: groups.length,
    images: groups.reduce((sum, g) => sum + g.length, 0),
    largest: groups[0]?.length ?? 0,
    identicalGroups: identical.length,
    identicalImages: identical.reduce((sum, n) => sum + n, 0),
    maxDistance: manifest.split.grouping.maxDistance,
  };
}

export function summarise(
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
    duplicates: duplicateSummary(manifest),
    size: manifest.spec.size,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

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
  readonly size: number;
  readonly seconds: number;
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
    size: manifest.spec.size,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

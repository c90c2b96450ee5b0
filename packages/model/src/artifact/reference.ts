/**
 * The training-data reference a model carries for drift checks: class counts, and histograms of each image's mean
 * and standard deviation computed on the preprocessed tensor (the same tensor serving computes), with 10 bins
 * spanning the training range.
 */
import { imageStatistics } from '@mri/data';
import type { TrainingReference } from '../contract.js';

const BINS = 10;

/** Preprocessed images `[count, size, size, 1]` row-major, and their labels (indices into the class names). */
export interface LabelledImages {
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
}

export function trainingReference(
  split: LabelledImages,
  classNames: readonly string[],
  size: number,
): TrainingReference {
  const pixels = size * size;
  const means: number[] = [];
  const stds: number[] = [];
  for (let i = 0; i < split.count; i++) {
    const { mean, std } = imageStatistics(split.images.subarray(i * pixels, (i + 1) * pixels));
    means.push(mean);
    stds.push(std);
  }
  return {
    classCounts: classCounts(split.labels, classNames),
    features: { mean: histogram(means), std: histogram(stds) },
  };
}

function classCounts(labels: ArrayLike<number>, classNames: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classNames.map((c) => [c, 0]));
  for (let i = 0; i < labels.length; i++) {
    const name = classNames[labels[i] as number] as string;
    counts[name] = (counts[name] as number) + 1;
  }
  return counts;
}

export function histogram(values: readonly number[]): { edges: number[]; proportions: number[] } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / BINS : 1;
  const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(BINS).fill(0);
  for (const v of values) {
    const bin = Math.min(BINS - 1, Math.floor((v - lo) / width));
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { edges, proportions: counts.map((c) => c / Math.max(1, values.length)) };
}

/** Shuffled mini-batches over an in-memory split, with augmentation applied to copies (the split stays intact). */
import type { PreprocessingSpec } from '@mri/data';
import type { Batch } from '@mri/model';
import type { AugmentationConfig } from '../config/index.js';
import { augmentImage, isAugmenting } from './augment.js';
import { permutation, type Random } from './random.js';

export interface Split {
  /** Preprocessed images, [count, size, size, 1] row-major. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  /** Each image's group of near-copies (the data package's split keeps a group on one side); absent: its own. */
  readonly groupOf?: Int32Array;
}

export interface BatchOptions {
  readonly batchSize: number;
  readonly size: number;
  readonly augmentation: AugmentationConfig;
  readonly spec: PreprocessingSpec;
  readonly random: Random;
  /** The order to visit the images in; default: a permutation drawn from `random`. */
  readonly order?: Int32Array;
}

export function batchesPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

export function* trainingBatches(split: Split, options: BatchOptions): Generator<Batch> {
  const { batchSize, size, augmentation, spec, random } = options;
  const pixels = size * size;
  const order = options.order ?? permutation(split.count, random);
  const scratch = new Float32Array(pixels);
  const augment = isAugmenting(augmentation);
  for (let start = 0; start < split.count; start += batchSize) {
    const n = Math.min(batchSize, split.count - start);
    const images = new Float32Array(n * pixels);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const index = order[start + i] as number;
      const image = images.subarray(i * pixels, (i + 1) * pixels);
      image.set(split.images.subarray(index * pixels, (index + 1) * pixels));
      if (augment) augmentImage(image, scratch, size, augmentation, spec, random);
      labels[i] = split.labels[index] as number;
    }
    yield { images, labels, size: n };
  }
}

/** Per-class loss weights total / (classes * count): each class contributes equally to the loss. */
export function balancedClassWeights(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const y of labels) counts[y] = (counts[y] as number) + 1;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (classes * c)));
}

import { availableParallelism } from 'node:os';
import {
  ARTIFACT_FORMAT_VERSION,
  type ArtifactMetadata,
  type ArtifactMetadataInput,
  type Batch,
  type EngineOptions,
} from './contract.js';
import type { TrainerSettings } from './training/local-trainer.js';

export function trainerSettings(options: EngineOptions): TrainerSettings {
  return {
    architecture: options.architecture,
    inputSize: options.inputSize,
    numClasses: options.classNames.length,
    optimizer: options.optimizer,
    seed: options.seed,
    labelSmoothing: options.labelSmoothing,
    ...(options.classWeights === undefined ? {} : { classWeights: options.classWeights }),
    ...(options.dropout === undefined ? {} : { dropout: options.dropout }),
    ...(options.width === undefined ? {} : { width: options.width }),
  };
}

export function workerCount(options: EngineOptions): number {
  return options.workers ?? availableParallelism();
}

export function validateOptions(options: EngineOptions): void {
  const n = options.classNames.length;
  if (n < 2) throw new Error('The engine needs at least two class names.');
  if (options.classWeights !== undefined && options.classWeights.length !== n) {
    throw new Error(
      `classWeights has ${options.classWeights.length} entries but there are ${n} classes; give one per class.`,
    );
  }
  if (options.labelSmoothing < 0 || options.labelSmoothing >= 1) {
    throw new Error(`labelSmoothing must be in [0, 1), got ${options.labelSmoothing}.`);
  }
  const workers = options.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) {
    throw new Error(`workers must be a whole number >= 0, got ${workers}.`);
  }
}

export function validateBatch(batch: Batch, options: EngineOptions): void {
  const pixels = options.inputSize * options.inputSize;
  if (batch.size < 1 || batch.images.length !== batch.size * pixels || batch.labels.length !== batch.size) {
    throw new Error(
      `A batch of ${batch.size} needs ${batch.size * pixels} pixel values and ${batch.size} labels; got ${batch.images.length} and ${batch.labels.length}.`,
    );
  }
  for (const label of batch.labels) {
    if (label < 0 || label >= options.classNames.length) {
      throw new Error(`Label ${label} is outside 0..${options.classNames.length - 1}.`);
    }
  }
}

export function artifactMetadata(options: EngineOptions, input: ArtifactMetadataInput): ArtifactMetadata {
  return {
    ...input,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    architecture: options.architecture,
    inputSize: options.inputSize,
    classNames: [...options.classNames],
    createdAt: new Date().toISOString(),
  };
}

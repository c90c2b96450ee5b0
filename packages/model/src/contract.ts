/**
 * The model package's public shapes. The trainer and the API are written against these; the implementation behind
 * them (backends, wasm gradient kernels, data-parallel workers) is free to change.
 */
import type { PreprocessingSpec } from '@mri/data';

/**
 * The names below are the one list each: the zoo's table of builders, the artifact reader, the trainer's config
 * schema and the API's environment schema are built from them. Adding a network is one name here plus its builder.
 * This module has no runtime imports, so schemas can import it (`@mri/model/contract`) without loading tfjs.
 */
export const ARCHITECTURE_NAMES = ['simple_cnn', 'resnet18', 'compact'] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

/** tfjs backends, in the order `auto` tries them. */
export const BACKEND_NAMES = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * How the serving plan holds its convolution and dense weights: as trained, or rounded to int8 per output channel
 * (`serving/quantise.ts`). The compute is float32 either way.
 */
export const SERVING_WEIGHTS = ['float32', 'int8'] as const;
export type ServingWeights = (typeof SERVING_WEIGHTS)[number];

export interface OptimizerSettings {
  readonly name: 'adam' | 'adamw' | 'sgd';
  readonly lr: number;
  readonly weightDecay: number;
  /** SGD only. */
  readonly momentum: number;
}

export interface EngineOptions {
  readonly architecture: ArchitectureName;
  readonly inputSize: number;
  readonly classNames: readonly string[];
  readonly optimizer: OptimizerSettings;
  readonly seed: number;
  /**
   * Data-parallel workers (each its own backend instance in a worker thread); 0 trains on the calling thread.
   * Omitted means one per core. Results are deterministic for a given seed and worker count.
   */
  readonly workers?: number;
  readonly backend: BackendChoice;
  readonly labelSmoothing: number;
  /** Per-class loss weights, in classNames order; omitted means equal weights. */
  readonly classWeights?: readonly number[];
  /** Dropout rate before the classifier head; omitted means the architecture's default. */
  readonly dropout?: number;
  /** Channels of the first block, for architectures that scale (compact); omitted means their default. */
  readonly width?: number;
}

/** A batch of preprocessed images, NHWC with C = 1, and integer labels. */
export interface Batch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

export interface StepResult {
  readonly loss: number;
  readonly accuracy: number;
}

/**
 * Everything training changes, to continue a run exactly where it stopped: every weight (trainable ones and moving
 * statistics, in `model.weights` order), the optimizer's slots (moments or momentum, per trainable weight) and its
 * step count (Adam's bias correction), and the engine's step count (it seeds each step's dropout masks).
 */
export interface TrainState {
  readonly steps: number;
  readonly optimizerSteps: number;
  readonly weights: readonly Float32Array[];
  readonly slots: readonly Float32Array[];
}

export interface TrainEngine {
  readonly backend: BackendName;
  /** A copy of the training state, e.g. for a checkpoint. */
  exportState(): Promise<TrainState>;
  /** Continues from `state` (of an engine built with the same options). */
  importState(state: TrainState): Promise<void>;
  trainStep(batch: Batch): Promise<StepResult>;
  /** Class probabilities, row-major [count, classNames.length]. */
  predict(images: Float32Array, count: number): Promise<Float32Array>;
  /** Penultimate-layer activations, row-major [count, width]; for embeddings. */
  embed(images: Float32Array, count: number): Promise<{ values: Float32Array; width: number }>;
  setLearningRate(lr: number): void;
  /** Save the current weights as an artifact (atomically). */
  save(dir: string, metadata: ArtifactMetadataInput): Promise<void>;
  dispose(): Promise<void>;
}

export const ARTIFACT_FORMAT_VERSION = 1;

/** What a caller supplies when saving; the engine fills in architecture, input size and class names. */
export interface ArtifactMetadataInput {
  readonly preprocessing: PreprocessingSpec;
  readonly configHash: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** Training-data reference for drift checks: class distribution and input statistics. */
  readonly trainingReference?: TrainingReference;
}

export interface TrainingReference {
  readonly classCounts: Readonly<Record<string, number>>;
  /** Histograms of per-image mean and std (bin edges and proportions), for PSI. */
  readonly features: Readonly<Record<string, { edges: number[]; proportions: number[] }>>;
}

export interface ArtifactMetadata extends ArtifactMetadataInput {
  readonly formatVersion: typeof ARTIFACT_FORMAT_VERSION;
  readonly architecture: ArchitectureName;
  readonly inputSize: number;
  readonly classNames: readonly string[];
  readonly createdAt: string;
}

/** A loaded artifact, ready to classify. What serving and evaluation use. */
export interface Classifier {
  readonly metadata: ArtifactMetadata;
  readonly backend: BackendName;
  /** Class probabilities, row-major [count, metadata.classNames.length], for preprocessed NHWC images. */
  predict(images: Float32Array, count: number): Promise<Float32Array>;
  dispose(): void;
}

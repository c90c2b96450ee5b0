/** Messages between the main thread and an inference worker. Everything here survives structured cloning. */
import type { ArtifactMetadata, BackendChoice, BackendName, ServingWeights } from '@mri/model';

export interface WorkerOptions {
  readonly modelDir: string;
  readonly backend: BackendChoice;
  /** The serving plan's weights (wasm only); float32 when absent. */
  readonly weights?: ServingWeights;
  readonly maxPixels: number;
}

/** The main thread's messages to a worker. */
export type MainMessage =
  | { readonly type: 'load'; readonly options: WorkerOptions }
  /** To a pre-started worker no pool adopted: exit once started. */
  | { readonly type: 'release' }
  | ClassifyRequest
  | { readonly type: 'sharp-held' };

export interface ClassifyRequest {
  readonly type: 'classify';
  readonly id: number;
  readonly images: readonly Uint8Array[];
}

/** Per-image input statistics of the preprocessed (normalised) tensor, and the upload's size in bytes. */
export interface ImageStats {
  readonly mean: number;
  readonly std: number;
  readonly bytes: number;
}

export type ItemResult =
  | { readonly ok: true; readonly probabilities: readonly number[]; readonly stats: ImageStats }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type WorkerMessage =
  | { readonly type: 'loaded'; readonly metadata: ArtifactMetadata; readonly backend: BackendName }
  | { readonly type: 'load-failed'; readonly message: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly items: readonly ItemResult[];
      readonly preprocessMs: number;
      readonly inferenceMs: number;
    }
  | { readonly type: 'batch-failed'; readonly id: number; readonly message: string }
  /** The worker is about to load sharp: the main thread loads it first (see native-libraries.ts). */
  | { readonly type: 'hold-sharp' };

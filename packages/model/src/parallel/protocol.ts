import type { ArtifactMetadata, Batch, EngineOptions, TrainState } from '../contract.js';
import type { ExchangeLayout } from './exchange.js';

export interface WorkerInit {
  readonly options: EngineOptions;
  readonly index: number;
  readonly workers: number;
}

export type Request =
  | { readonly type: 'attach'; readonly buffer: SharedArrayBuffer; readonly layout: ExchangeLayout }
  | { readonly type: 'step'; readonly batch: Batch; readonly denominator: number; readonly step: number }
  | { readonly type: 'predict' | 'embed'; readonly images: Float32Array; readonly count: number }
  | { readonly type: 'lr'; readonly lr: number }
  | { readonly type: 'exportState' }
  | { readonly type: 'importState'; readonly state: TrainState }
  | { readonly type: 'save'; readonly dir: string; readonly metadata: ArtifactMetadata };

export interface Ready {
  readonly backend: string;
  readonly params: number;
  readonly stats: number;
}

export type Reply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string };

/**
 * The classifier as the HTTP layer sees it: load once, classify one upload at a time (batched underneath), know
 * when it is ready, and drain before it stops. It also feeds the metrics, the prediction log and the drift window.
 */
import type { ArtifactMetadata, BackendChoice, BackendName } from '@mri/model';
import type { BatchingConfig, DriftConfig } from './config.js';
import { type Classified, MicroBatcher } from './inference/batcher.js';
import { InferencePool } from './inference/pool.js';
import type { ServiceMetrics } from './metrics.js';
import { type DriftReport, driftReport } from './predictions/drift.js';
import type { PredictionLog } from './predictions/log.js';
import { RecentWindow } from './predictions/record.js';

export interface ModelInfo {
  readonly version: string;
  readonly architecture: string;
  readonly inputSize: number;
  readonly classNames: readonly string[];
  readonly backend: BackendName;
  readonly createdAt: string;
}

export interface ServiceOptions {
  /** Workers already started (main.ts starts them before loading the HTTP stack); otherwise started here. */
  readonly pool?: InferencePool;
  readonly modelDir: string;
  /** The registry version when the model came from the registry; otherwise derived from the metadata. */
  readonly modelVersion?: string;
  readonly backend: BackendChoice;
  readonly maxPixels: number;
  readonly batching: BatchingConfig;
  readonly drift: DriftConfig;
  readonly metrics: ServiceMetrics;
  readonly log: PredictionLog;
}

export interface Prediction {
  readonly predictions: readonly { readonly class: string; readonly score: number }[];
  readonly classified: Classified;
}

export class InferenceService {
  private readonly pool: InferencePool;
  private readonly batcher: MicroBatcher;
  private readonly window: RecentWindow;
  private metadata: ArtifactMetadata | undefined;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  /** True from the moment shutdown starts; /readyz then answers 503 so traffic moves elsewhere. */
  closing = false;
  /** Set once the model is loaded; undefined before. */
  model: ModelInfo | undefined;
  readonly loaded: Promise<ModelInfo>;

  constructor(private readonly options: ServiceOptions) {
    const { batching, metrics } = options;
    this.pool =
      options.pool ??
      new InferencePool(
        { modelDir: options.modelDir, backend: options.backend, maxPixels: options.maxPixels },
        batching.workers,
      );
    this.batcher = new MicroBatcher(this.pool, batching, {
      queueDepth: (depth) => metrics.queueDepth.set(depth),
      batch: (size, inferenceMs) => {
        metrics.batchSize.observe(size);
        metrics.inferenceSeconds.observe(inferenceMs / 1000);
      },
    });
    this.pool.onIdle = () => this.batcher.pump();
    this.window = new RecentWindow(options.drift.window);
    this.loaded = this.pool.loaded().then(({ metadata, backend }) => {
      this.metadata = metadata;
      this.batcher.limitPixels(batching.maxBatchPixels, metadata.inputSize);
      this.model = {
        version: options.modelVersion ?? `${metadata.architecture}-${metadata.configHash.slice(0, 12)}`,
        architecture: metadata.architecture,
        inputSize: metadata.inputSize,
        classNames: metadata.classNames,
        backend,
        createdAt: metadata.createdAt,
      };
      return this.model;
    });
    // Callers await `loaded` when they care; an unobserved load failure must not crash the process.
    this.loaded.catch(() => {});
  }

  /** Classifies one encoded image. Resolves with a per-image failure for bad images; rejects only on overload. */
  async classify(image: Uint8Array): Promise<Prediction | { readonly failed: Classified }> {
    const model = this.model;
    if (!model) throw new Error('The model is not loaded yet.');
    this.inFlight++;
    try {
      const classified = await this.batcher.submit(image);
      const { item } = classified;
      if (!item.ok) return { failed: classified };
      const predictions = model.classNames
        .map((name, index) => ({ class: name, score: item.probabilities[index] ?? 0 }))
        .sort((a, b) => b.score - a.score);
      const top = predictions[0] as { class: string; score: number };
      this.options.metrics.predictions.inc({ class: top.class });
      const record = {
        time: new Date().toISOString(),
        modelVersion: model.version,
        predicted: top.class,
        confidence: top.score,
        image: item.stats,
      };
      this.window.add(record);
      this.options.log.append(record);
      return { predictions, classified };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  drift(): DriftReport {
    return driftReport(
      this.window.records(),
      this.metadata?.trainingReference,
      this.metadata?.classNames ?? [],
      this.options.drift,
    );
  }

  /** Waits for every accepted image to be answered, then stops the workers and flushes the log. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.pool.close();
    await this.options.log.close();
  }
}

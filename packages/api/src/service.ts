/**
 * The classifier as the HTTP layer sees it: classify one upload at a time (batched underneath), know whether a
 * model is serving, swap in a new model without dropping a request, and drain before it stops. It also feeds the
 * metrics, the prediction log and the drift window.
 *
 * A model runs in its own pool of workers. Loading a new one starts a second pool; only once that pool has loaded
 * the model and passed its self-check do new batches go to it. Batches already handed to the old pool finish there
 * (their answers name the old version), then the old workers stop. A model that fails to load leaves the serving
 * one in place, and `problem` says why.
 */
import type { ArtifactMetadata, BackendChoice, BackendName, ServingWeights } from '@mri/model';
import type { BatchingConfig, DriftConfig } from './config.js';
import { ApiError } from './errors.js';
import { type BatchRunner, type Classified, MicroBatcher } from './inference/batcher.js';
import { type BatchOutcome, InferencePool } from './inference/pool.js';
import type { ServiceMetrics } from './metrics.js';
import { type DriftReport, driftReport } from './predictions/drift.js';
import { type InputCheck, inputCheck } from './predictions/in-distribution.js';
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

/** A model folder, and its registry version when it came from the registry. */
export interface ModelSource {
  readonly dir: string;
  readonly version?: string;
}

export interface ServiceOptions {
  readonly backend: BackendChoice;
  /** The serving plan's weights; float32 when absent. */
  readonly servingWeights?: ServingWeights;
  readonly maxPixels: number;
  readonly batching: BatchingConfig;
  readonly drift: DriftConfig;
  readonly metrics: ServiceMetrics;
  readonly log: PredictionLog;
}

export interface Prediction {
  readonly predictions: readonly { readonly class: string; readonly score: number }[];
  /** Whether the input looks like the training images, by its statistics against the model's reference. */
  readonly input: InputCheck;
  /** The model that answered: during a swap, the old or the new one. */
  readonly model: ModelInfo;
  readonly classified: Classified;
}

/** A model that could not be loaded or failed its self-check; `message` is one sentence. */
export class ModelRefusedError extends Error {
  override readonly name = 'ModelRefusedError';
}

interface Serving {
  readonly pool: InferencePool;
  readonly info: ModelInfo;
  readonly metadata: ArtifactMetadata;
  readonly dir: string;
}

type ModelOutcome = BatchOutcome & { readonly model: Serving };

export class InferenceService implements BatchRunner {
  private readonly batcher: MicroBatcher<Serving>;
  private readonly window: RecentWindow;
  private serving: Serving | undefined;
  private retiring = new Set<Promise<void>>();
  private inFlight = 0;
  private drained: (() => void) | undefined;
  /** True from the moment shutdown starts; /readyz then answers 503 so traffic moves elsewhere. */
  closing = false;
  /** Why the service has no model, or why the last candidate was refused (the serving model stays). */
  problem: string | undefined;

  constructor(private readonly options: ServiceOptions) {
    const { metrics } = options;
    this.batcher = new MicroBatcher<Serving>(this, options.batching, {
      queueDepth: (depth) => metrics.queueDepth.set(depth),
      batch: (size, inferenceMs) => {
        metrics.batchSize.observe(size);
        metrics.inferenceSeconds.observe(inferenceMs / 1000);
      },
    });
    this.window = new RecentWindow(options.drift.window);
  }

  /** The model serving now, if any. */
  get model(): ModelInfo | undefined {
    return this.serving?.info;
  }

  /** The folder of the model serving now, if any: what explanations load, so they follow a swap. */
  get modelDir(): string | undefined {
    return this.serving?.dir;
  }

  /** The serving model, or a 503 that says why there is none. */
  requireModel(): ModelInfo {
    if (this.serving) return this.serving.info;
    throw new ApiError(503, 'not_ready', this.problem ?? 'The model is still loading; retry in a moment.', {
      'retry-after': '5',
    });
  }

  /**
   * Loads a model into a fresh pool of workers and, once it has loaded and passed its self-check, serves it.
   * `pool` lets start.ts start the workers before the HTTP stack. Rejects with ModelRefusedError, leaving whatever
   * served before still serving.
   */
  async load(source: ModelSource, pool?: InferencePool): Promise<ModelInfo> {
    const candidate =
      pool ??
      new InferencePool(
        {
          modelDir: source.dir,
          backend: this.options.backend,
          weights: this.options.servingWeights,
          maxPixels: this.options.maxPixels,
        },
        this.options.batching.workers,
      );
    let loaded: Awaited<ReturnType<InferencePool['loaded']>>;
    try {
      loaded = await candidate.loaded();
    } catch (error) {
      await candidate.close();
      const reason = error instanceof Error ? error.message : String(error);
      if (!this.serving) this.problem = `The model in ${source.dir} could not be loaded: ${reason}`;
      throw new ModelRefusedError(reason);
    }
    if (this.closing) {
      await candidate.close();
      throw new ModelRefusedError('The service is shutting down.');
    }
    const { metadata, backend } = loaded;
    const info: ModelInfo = {
      version: source.version ?? `${metadata.architecture}-${metadata.configHash.slice(0, 12)}`,
      architecture: metadata.architecture,
      inputSize: metadata.inputSize,
      classNames: metadata.classNames,
      backend,
      createdAt: metadata.createdAt,
    };
    const previous = this.serving;
    this.serving = { pool: candidate, info, metadata, dir: source.dir };
    this.problem = undefined;
    candidate.onIdle = () => this.batcher.pump();
    this.batcher.limitPixels(this.options.batching.maxBatchPixels, metadata.inputSize);
    this.batcher.pump();
    if (previous) this.retire(previous);
    return info;
  }

  /** True while the batch queue is full: a new upload would be refused, so it can be refused before its body. */
  get saturated(): boolean {
    return this.batcher.full;
  }

  /** Workers ready for a batch now (the batcher's view): only the serving pool takes new batches. */
  get idle(): number {
    return this.serving?.pool.idle ?? 0;
  }

  /** Runs a batch on the serving pool; the outcome remembers which model answered. */
  run(images: Uint8Array[]): Promise<ModelOutcome> {
    const serving = this.serving;
    if (!serving) return Promise.reject(new Error('No model is serving.'));
    return serving.pool.run(images).then((outcome) => ({ ...outcome, model: serving }));
  }

  /** Classifies one encoded image. Resolves with a per-image failure for bad images; rejects only on overload. */
  async classify(image: Uint8Array): Promise<Prediction | { readonly failed: Classified }> {
    this.requireModel();
    this.inFlight++;
    try {
      const classified = await this.batcher.submit(image);
      const { item } = classified;
      if (!item.ok) return { failed: classified };
      const { info: model, metadata } = classified.model as Serving;
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
      return { predictions, input: inputCheck(item.stats, metadata.trainingReference), model, classified };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  drift(): DriftReport {
    const metadata = this.serving?.metadata;
    return driftReport(
      this.window.records(),
      metadata?.trainingReference,
      metadata?.classNames ?? [],
      this.options.drift,
    );
  }

  /** Waits for every accepted image to be answered, then stops the workers and flushes the log. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all([...this.retiring, this.serving?.pool.close()]);
    await this.options.log.close();
  }

  /** Stops an old pool once the batches it holds are answered. */
  private retire(old: Serving): void {
    old.pool.onIdle = () => {};
    const done = old.pool.drain().then(() => old.pool.close());
    this.retiring.add(done);
    done.finally(() => this.retiring.delete(done));
  }
}

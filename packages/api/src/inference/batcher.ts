/**
 * Micro-batching: requests that arrive close together share one forward pass. A batch leaves when it is full,
 * when its oldest request has waited `maxWaitMs`; requests that queued while every worker was busy have
 * usually waited that long already, so they leave together as soon as a worker frees up. Beyond `maxQueue` waiting
 * requests, new ones are refused, so an overloaded service answers 503 quickly instead of timing out.
 */
import { performance } from 'node:perf_hooks';
import type { BatchingConfig } from '../config.js';
import type { ItemResult } from './protocol.js';

/** `M`: what ran a batch (the service passes the model), handed back with each of its images. */
export interface BatchRunner<M = unknown> {
  /** Workers ready for a batch right now. */
  readonly idle: number;
  run(images: Uint8Array[]): Promise<{
    readonly items: readonly ItemResult[];
    readonly preprocessMs: number;
    readonly inferenceMs: number;
    readonly model?: M;
  }>;
}

export interface BatchObserver {
  queueDepth(depth: number): void;
  batch(size: number, inferenceMs: number): void;
}

export interface Classified<M = unknown> {
  readonly item: ItemResult;
  /** What the runner said ran this image's batch. */
  readonly model?: M;
  readonly timings: { readonly queueMs: number; readonly preprocessMs: number; readonly inferenceMs: number };
  readonly batchSize: number;
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

interface Pending<M> {
  readonly image: Uint8Array;
  readonly enqueuedAt: number;
  resolve(result: Classified<M>): void;
  reject(error: Error): void;
}

export class MicroBatcher<M = unknown> {
  private readonly queue: Pending<M>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private maxBatch: number;

  constructor(
    private readonly runner: BatchRunner<M>,
    private readonly config: Pick<BatchingConfig, 'maxBatch' | 'maxWaitMs' | 'maxQueue'>,
    private readonly observer: BatchObserver = { queueDepth() {}, batch() {} },
  ) {
    this.maxBatch = config.maxBatch;
  }

  /**
   * Caps batches by input pixels once the model's input size is known: activation memory grows with the pixels
   * in a batch, and a wasm heap never gives memory back, so the largest batch sets the resident size for good.
   */
  limitPixels(maxBatchPixels: number, inputSize: number): void {
    this.maxBatch = Math.max(
      1,
      Math.min(this.config.maxBatch, Math.floor(maxBatchPixels / (inputSize * inputSize))),
    );
  }

  get batchLimit(): number {
    return this.maxBatch;
  }

  get depth(): number {
    return this.queue.length;
  }

  /** True when a new image would be refused: the queue holds `maxQueue` already. */
  get full(): boolean {
    return this.queue.length >= this.config.maxQueue;
  }

  submit(image: Uint8Array): Promise<Classified<M>> {
    if (this.full) {
      return Promise.reject(new QueueFullError(`${this.queue.length} requests are already waiting.`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ image, enqueuedAt: performance.now(), resolve, reject });
      this.observer.queueDepth(this.queue.length);
      this.pump();
    });
  }

  /** Hands batches to idle workers; call it whenever a worker frees up. */
  pump(): void {
    while (this.queue.length > 0 && this.runner.idle > 0) {
      const oldest = this.queue[0] as Pending<M>;
      const waited = performance.now() - oldest.enqueuedAt;
      if (this.queue.length < this.maxBatch && waited < this.config.maxWaitMs) {
        this.armTimer(this.config.maxWaitMs - waited);
        return;
      }
      this.dispatch(this.queue.splice(0, this.maxBatch));
    }
  }

  private armTimer(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
  }

  private dispatch(batch: Pending<M>[]): void {
    const dispatchedAt = performance.now();
    this.observer.queueDepth(this.queue.length);
    this.runner.run(batch.map((pending) => pending.image)).then(
      (outcome) => {
        this.observer.batch(batch.length, outcome.inferenceMs);
        batch.forEach((pending, index) => {
          const item = outcome.items[index];
          if (!item) {
            pending.reject(new Error('The worker answered fewer items than it was given.'));
            return;
          }
          pending.resolve({
            item,
            ...(outcome.model !== undefined && { model: outcome.model }),
            batchSize: batch.length,
            timings: {
              queueMs: dispatchedAt - pending.enqueuedAt,
              preprocessMs: outcome.preprocessMs,
              inferenceMs: outcome.inferenceMs,
            },
          });
        });
      },
      (error: Error) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }
}

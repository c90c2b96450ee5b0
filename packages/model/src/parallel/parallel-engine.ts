/**
 * Data-parallel training over worker threads: each batch is cut into contiguous shards, one per worker; the workers
 * all-reduce their gradients through shared memory and apply the same update. Inference is split the same way.
 */
import type { BackendName, Batch, EngineOptions, TrainEngine, TrainState } from '../contract.js';
import { artifactMetadata, trainerSettings, validateBatch } from '../engine-options.js';
import { concatRows } from '../inference.js';
import { log } from '../log.js';
import { lossDenominator } from '../training/loss.js';
import { allocateExchange } from './exchange.js';
import { shardBounds } from './shards.js';
import { WorkerHandle } from './worker-handle.js';

function shardOf(batch: Batch, [start, end]: [number, number], pixels: number): Batch {
  return {
    images: batch.images.slice(start * pixels, end * pixels),
    labels: batch.labels.slice(start, end),
    size: end - start,
  };
}

export async function createParallelEngine(options: EngineOptions, count: number): Promise<TrainEngine> {
  const workers = Array.from(
    { length: count },
    (_, index) => new WorkerHandle({ options, index, workers: count }),
  );
  let readies: Awaited<WorkerHandle['ready']>[];
  try {
    readies = await Promise.all(workers.map((w) => w.ready));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  const first = readies[0] as (typeof readies)[number];
  const layout = { workers: count, params: first.params, stats: first.stats };
  const buffer = allocateExchange(layout);
  await Promise.all(workers.map((w) => w.call({ type: 'attach', buffer, layout })));
  log.info({ workers: count, backend: first.backend, params: first.params }, 'data-parallel engine ready');

  const settings = trainerSettings(options);
  const pixels = options.inputSize * options.inputSize;
  let steps = 0;

  async function splitRows(type: 'predict' | 'embed', images: Float32Array, n: number) {
    const bounds = shardBounds(n, count).filter(([s, e]) => e > s);
    const parts = await Promise.all(
      bounds.map(([s, e], i) => {
        const slice = images.slice(s * pixels, e * pixels);
        const request = { type, images: slice, count: e - s } as const;
        return (workers[i] as WorkerHandle).call<Float32Array | { values: Float32Array; width: number }>(
          request,
          [slice.buffer],
        );
      }),
    );
    return parts.map((p) => (p instanceof Float32Array ? { values: p, width: 0 } : p));
  }

  return {
    backend: first.backend as BackendName,
    // Every replica holds the same state after each step: one exports it, all import it.
    exportState: async () => ({
      ...(await (workers[0] as WorkerHandle).call<TrainState>({ type: 'exportState' })),
      steps,
    }),
    importState: async (state) => {
      await Promise.all(workers.map((w) => w.call({ type: 'importState', state })));
      steps = state.steps;
    },
    trainStep: async (batch) => {
      validateBatch(batch, options);
      const denominator = lossDenominator(batch.labels, settings);
      const step = steps++;
      const results = await Promise.all(
        shardBounds(batch.size, count).map((bounds, i) => {
          const shard = shardOf(batch, bounds, pixels);
          const request = { type: 'step', batch: shard, denominator, step } as const;
          return (workers[i] as WorkerHandle).call<{ loss: number; correct: number }>(request, [
            shard.images.buffer as ArrayBuffer,
          ]);
        }),
      );
      const loss = results.reduce((sum, r) => sum + r.loss, 0);
      const correct = results.reduce((sum, r) => sum + r.correct, 0);
      return { loss, accuracy: correct / batch.size };
    },
    predict: async (images, n) => concatRows((await splitRows('predict', images, n)).map((p) => p.values)),
    embed: async (images, n) => {
      const parts = await splitRows('embed', images, n);
      return { values: concatRows(parts.map((p) => p.values)), width: parts[0]?.width ?? 0 };
    },
    setLearningRate: (lr) => {
      // Messages to a worker run in order, so the next step sees the new rate; a dead worker fails that step.
      for (const w of workers) w.call({ type: 'lr', lr }).catch(() => undefined);
    },
    save: async (dir, metadata) => {
      await (workers[0] as WorkerHandle).call({
        type: 'save',
        dir,
        metadata: artifactMetadata(options, metadata),
      });
    },
    dispose: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

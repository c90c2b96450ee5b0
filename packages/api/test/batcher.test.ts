import { describe, expect, it } from 'vitest';
import { MicroBatcher, QueueFullError } from '../src/inference/batcher.js';
import type { ItemResult } from '../src/inference/protocol.js';

/** A runner with `workers` slots that answers each image with its first byte, after `ms`. */
function runner(workers: number, ms = 5) {
  const batches: number[][] = [];
  let busy = 0;
  let onFree = () => {};
  const run = async (images: Uint8Array[]) => {
    busy++;
    batches.push(images.map((image) => image[0] ?? -1));
    await new Promise((resolve) => setTimeout(resolve, ms));
    busy--;
    setImmediate(() => onFree());
    const items: ItemResult[] = images.map((image) => ({
      ok: true,
      probabilities: [image[0] ?? 0],
      stats: { mean: 0, std: 0, bytes: image.length },
    }));
    return { items, preprocessMs: 1, inferenceMs: ms };
  };
  return {
    batches,
    get idle() {
      return workers - busy;
    },
    run,
    set onFree(callback: () => void) {
      onFree = callback;
    },
  };
}

const image = (n: number) => new Uint8Array([n]);

describe('MicroBatcher', () => {
  it('sends a lone request after at most maxWaitMs', async () => {
    const fake = runner(1);
    const batcher = new MicroBatcher(fake, { maxBatch: 8, maxWaitMs: 20, maxQueue: 10 });
    const started = performance.now();
    const result = await batcher.submit(image(7));
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(result.item).toMatchObject({ ok: true, probabilities: [7] });
    expect(result.batchSize).toBe(1);
  });

  it('sends a full batch at once, without waiting', async () => {
    const fake = runner(1);
    const batcher = new MicroBatcher(fake, { maxBatch: 4, maxWaitMs: 10_000, maxQueue: 10 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.submit(image(n))));
    expect(fake.batches).toEqual([[1, 2, 3, 4]]);
    expect(results.map((result) => (result.item.ok ? result.item.probabilities[0] : -1))).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('gathers what queued while every worker was busy into the next batch, in order', async () => {
    const fake = runner(1, 20);
    const batcher = new MicroBatcher(fake, { maxBatch: 3, maxWaitMs: 0, maxQueue: 10 });
    fake.onFree = () => batcher.pump();
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(image(n))));
    expect(fake.batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
  });

  it('refuses new work beyond maxQueue instead of queueing without bound', async () => {
    const fake = runner(0);
    const batcher = new MicroBatcher(fake, { maxBatch: 2, maxWaitMs: 0, maxQueue: 2 });
    void batcher.submit(image(1));
    void batcher.submit(image(2));
    await expect(batcher.submit(image(3))).rejects.toBeInstanceOf(QueueFullError);
    expect(batcher.depth).toBe(2);
  });

  it('fails every request of a batch whose worker failed', async () => {
    const batcher = new MicroBatcher(
      { idle: 1, run: () => Promise.reject(new Error('worker died')) },
      { maxBatch: 2, maxWaitMs: 0, maxQueue: 10 },
    );
    const results = await Promise.allSettled([batcher.submit(image(1)), batcher.submit(image(2))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('MicroBatcher.limitPixels', () => {
  it('caps batches by input pixels, never below one image or above maxBatch', () => {
    const batcher = new MicroBatcher(runner(1), { maxBatch: 8, maxWaitMs: 0, maxQueue: 10 });
    batcher.limitPixels(8 * 128 * 128, 224);
    expect(batcher.batchLimit).toBe(2);
    batcher.limitPixels(8 * 128 * 128, 64);
    expect(batcher.batchLimit).toBe(8);
    batcher.limitPixels(100, 224);
    expect(batcher.batchLimit).toBe(1);
  });
});

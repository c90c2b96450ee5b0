import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, type RunningApp, startApp, testConfig } from './support/server.js';

type Answer = { predictions: Array<{ class: string; score: number }>; batch_size: number };

describe('micro-batching', () => {
  let batched: RunningApp;
  let single: RunningApp;
  const images = sampleImages('Testing')
    .filter((_, index) => index % 3 === 0)
    .slice(0, 12)
    .map((image) => readSample(image.path));

  beforeAll(async () => {
    [batched, single] = await Promise.all([
      startApp({
        config: testConfig({
          batching: { workers: 1, maxBatch: 8, maxBatchPixels: 8 * 64 * 64, maxWaitMs: 50, maxQueue: 64 },
        }),
      }),
      startApp({
        config: testConfig({
          batching: { workers: 1, maxBatch: 1, maxBatchPixels: 64 * 64, maxWaitMs: 0, maxQueue: 64 },
        }),
      }),
    ]);
  });
  afterAll(() => Promise.all([batched.close(), single.close()]));

  it('answers concurrent requests from shared forward passes with the same scores as one at a time', async () => {
    const together = await Promise.all(
      images.map(async (bytes) => (await postForm(batched.url, imageForm(bytes))).json as unknown as Answer),
    );
    expect(Math.max(...together.map((answer) => answer.batch_size))).toBeGreaterThan(1);

    for (const [index, bytes] of images.entries()) {
      const alone = (await postForm(single.url, imageForm(bytes))).json as unknown as Answer;
      expect(alone.batch_size).toBe(1);
      const shared = together[index] as Answer;
      expect(shared.predictions.map((p) => p.class)).toEqual(alone.predictions.map((p) => p.class));
      shared.predictions.forEach((prediction, rank) => {
        expect(prediction.score).toBeCloseTo(alone.predictions[rank]?.score ?? Number.NaN, 5);
      });
    }
  });

  it('answers a bad image in a batch with its own error and its batch-mates normally', async () => {
    const bad = new TextEncoder().encode('not an image at all');
    const results = await Promise.all([
      postForm(batched.url, imageForm(images[0] as Buffer)),
      postForm(batched.url, imageForm(bad)),
      postForm(batched.url, imageForm(images[1] as Buffer)),
    ]);
    expect(results.map((result) => result.status)).toEqual([200, 415, 200]);
  });

  it('keeps /healthz fast while the workers are busy', async () => {
    const load = Promise.all(images.map((bytes) => postForm(batched.url, imageForm(bytes))));
    const started = performance.now();
    const health = await fetch(`${batched.url}/healthz`);
    const elapsed = performance.now() - started;
    expect(health.status).toBe(200);
    await load;
    // Generous for a shared CI machine; inference on the event loop would hold it for the whole batch.
    expect(elapsed).toBeLessThan(250);
  });
});

describe('overload', () => {
  it('refuses what does not fit in the queue with 503 and Retry-After, and answers the rest', async () => {
    const server = await startApp({
      config: testConfig({
        batching: { workers: 1, maxBatch: 1, maxBatchPixels: 64 * 64, maxWaitMs: 0, maxQueue: 2 },
      }),
    });
    try {
      const bytes = readSample(sampleImages('Testing')[0]?.path ?? '');
      const results = await Promise.all(
        Array.from({ length: 12 }, () => postForm(server.url, imageForm(bytes))),
      );
      const refused = results.filter((result) => result.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(results.filter((result) => result.status === 200).length).toBeGreaterThanOrEqual(2);
      expect(refused[0]?.json.error).toBe('overloaded');
      expect(refused[0]?.headers.get('retry-after')).toBe('1');
    } finally {
      await server.close();
    }
  });
});

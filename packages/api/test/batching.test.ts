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

  it('answers /healthz while the workers are busy, before the uploads sent ahead of it', async () => {
    let loadDoneAt = Number.POSITIVE_INFINITY;
    const load = Promise.all(images.map((bytes) => postForm(batched.url, imageForm(bytes)))).then(() => {
      loadDoneAt = performance.now();
    });
    const health = await fetch(`${batched.url}/healthz`);
    const healthAt = performance.now();
    expect(health.status).toBe(200);
    await load;
    // Relative, not a number of ms (a loaded CI machine stretches both): the uploads' batch waits maxWaitMs (50) and
    // then runs on the worker, while the probe needs one turn of the event loop.
    expect(healthAt).toBeLessThan(loadDoneAt);
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

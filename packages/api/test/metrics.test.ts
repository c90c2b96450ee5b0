import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, type RunningApp, startApp } from './support/server.js';

describe('GET /metrics', () => {
  let server: RunningApp;
  let text: string;
  beforeAll(async () => {
    server = await startApp();
    const images = sampleImages('Testing').slice(0, 6);
    await Promise.all(images.map((image) => postForm(server.url, imageForm(readSample(image.path)))));
    await postForm(server.url, imageForm(new Uint8Array()));
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    text = await response.text();
  });
  afterAll(() => server.close());

  const value = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? Number.NaN);

  it('counts requests by route and status, and times them', () => {
    expect(value(/http_requests_total\{method="POST",route="\/classify",status="200"\} (\d+)/)).toBe(6);
    expect(value(/http_requests_total\{method="POST",route="\/classify",status="400"\} (\d+)/)).toBe(1);
    expect(
      value(/http_request_duration_seconds_count\{method="POST",route="\/classify",status="200"\} (\d+)/),
    ).toBe(6);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/classify"/);
  });

  it('reports batch sizes, queue depth, predicted classes and refusals', () => {
    expect(value(/inference_batch_size_sum (\d+)/)).toBe(6);
    expect(value(/inference_batch_size_count (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/inference_queue_depth (\d+)/)).toBe(0);
    const predicted = [...text.matchAll(/predictions_total\{class="\w+"\} (\d+)/g)].map((m) => Number(m[1]));
    expect(predicted.reduce((a, b) => a + b, 0)).toBe(6);
    expect(value(/rejected_inputs_total\{reason="empty_file"\} (\d+)/)).toBe(1);
  });

  it('includes process metrics', () => {
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
  });
});

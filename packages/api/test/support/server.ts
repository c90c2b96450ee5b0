/** Starts the real service on port 0 for a test, and speaks to it over real HTTP. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type App, type AppOptions, buildApp } from '../../src/app.js';
import type { ServiceConfig } from '../../src/config.js';
import type { PredictionLog } from '../../src/predictions/log.js';

export type TestConfig = AppOptions['config'];

export const testConfig = (overrides: Partial<ServiceConfig> = {}): TestConfig => ({
  backend: 'wasm',
  batching: { workers: 2, maxBatch: 8, maxBatchPixels: 8 * 128 * 128, maxWaitMs: 5, maxQueue: 256 },
  limits: { maxUploadBytes: 1024 * 1024, maxPixels: 4_000_000 },
  admission: { budgetBytes: 64 * 1024 * 1024, maxWaitMs: 1000 },
  timeouts: { bodyMs: 30_000, keepAliveMs: 5000 },
  abuse: { ratePerMinute: 0, apiKey: '', trustProxy: false },
  corsOrigins: ['http://localhost:5173'],
  drift: { window: 200, minSamples: 20, psiThreshold: 0.2 },
  ...overrides,
});

/** The model every API test serves: a real model trained on the sample by the model package (global-setup.ts). */
export async function testModel(): Promise<string> {
  return inject('sampleModelDir');
}

export interface RunningApp extends App {
  readonly url: string;
  close(): Promise<void>;
}

export async function startApp(
  options: {
    config?: TestConfig;
    modelDir?: string;
    predictionLog?: PredictionLog;
    waitForModel?: boolean;
  } = {},
): Promise<RunningApp> {
  const dir = options.modelDir ?? (await testModel());
  const built = await buildApp({
    config: options.config ?? testConfig(),
    model: { dir, version: 'test-1' },
    ...(options.predictionLog ? { predictionLog: options.predictionLog } : {}),
  });
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  if (options.waitForModel ?? true) await built.loaded;
  return { ...built, url, close: () => built.app.close() };
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'api-test-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A real multipart body, as a browser or curl would send it. */
export function imageForm(
  bytes: Uint8Array,
  filename = 'mri.jpg',
  type = 'image/jpeg',
  field = 'file',
): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type }), filename);
  return form;
}

export async function postForm(
  url: string,
  body: FormData | Uint8Array,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}/classify`, { method: 'POST', body, headers });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Left empty: a test asserting on a field will fail and show the status.
  }
  return { status: response.status, json, headers: response.headers };
}

/** A multipart body built by hand, for shapes FormData will not produce. */
export function rawMultipart(
  parts: Array<{ field: string; filename?: string; type?: string; bytes: Uint8Array }>,
) {
  const boundary = '----apiTestBoundary9f3a';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.field}"; filename="${part.filename}"`
      : `form-data; name="${part.field}"`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.from(part.bytes), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

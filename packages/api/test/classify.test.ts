import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { preprocess } from '@mri/data';
import { loadServingClassifier } from '@mri/model/serving';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, type RunningApp, startApp, testModel } from './support/server.js';

const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

describe('POST /classify with a real MRI', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp();
  });
  afterAll(() => server.close());

  it("answers the reference's shape, every class once, best first, with model and timings", async () => {
    const image = sampleImages('Testing')[0];
    const { status, json } = await postForm(server.url, imageForm(readSample(image?.path ?? '')));
    expect(status).toBe(200);
    expect(json.filename).toBe('mri.jpg');
    const predictions = json.predictions as Array<{ class: string; score: number }>;
    expect(predictions.map((p) => p.class).sort()).toEqual(CLASSES);
    const scores = predictions.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(json.model).toMatchObject({ version: 'test-1', inputSize: 64, backend: 'wasm' });
    expect(json.timings_ms).toMatchObject({
      queue: expect.any(Number),
      preprocess: expect.any(Number),
      inference: expect.any(Number),
      total: expect.any(Number),
    });
  });

  it('scores every class exactly as the model scores preprocess(bytes) of the same file', async () => {
    const classifier = await loadServingClassifier(await testModel());
    try {
      for (const image of sampleImages('Testing').slice(0, 4)) {
        const bytes = readSample(image.path);
        const { json } = await postForm(server.url, imageForm(bytes));
        const served = Object.fromEntries(
          (json.predictions as Array<{ class: string; score: number }>).map((p) => [p.class, p.score]),
        );
        const input = await preprocess(bytes, classifier.metadata.preprocessing);
        const direct = await classifier.predict(input, 1);
        classifier.metadata.classNames.forEach((name, i) => {
          expect(served[name], `${image.path} ${name}`).toBeCloseTo(direct[i] as number, 6);
        });
      }
    } finally {
      classifier.dispose();
    }
  });

  it('answers on /classify/ too, the path the reference served', async () => {
    const image = sampleImages('Testing')[1];
    const form = imageForm(readSample(image?.path ?? ''), 'scan.jpeg');
    const response = await fetch(`${server.url}/classify/`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { filename: string }).filename).toBe('scan.jpeg');
  });

  it('keeps only the base name of a hostile file name, and only to echo it', async () => {
    const image = sampleImages('Testing')[2];
    const { status, json } = await postForm(
      server.url,
      imageForm(readSample(image?.path ?? ''), '../../etc/passwd'),
    );
    expect(status).toBe(200);
    expect(json.filename).toBe('passwd');
  });

  it('is live and ready once the model is loaded, and says which model', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const metadata = JSON.parse(await readFile(join(await testModel(), 'metadata.json'), 'utf8'));
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      model: { architecture: metadata.architecture },
    });
  });

  it('publishes its OpenAPI document with the classify route and its schemas', async () => {
    const spec = (await (await fetch(`${server.url}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/classify', '/healthz', '/readyz', '/drift']),
    );
    expect(JSON.stringify(spec.paths['/classify'])).toContain('multipart/form-data');
    const page = await fetch(`${server.url}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/classify');
  });

  it('allows the configured origin and no other', async () => {
    const allowed = await fetch(`${server.url}/healthz`, { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await fetch(`${server.url}/healthz`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('before the model is loaded', () => {
  it('is live but not ready, and refuses to classify with 503', async () => {
    const server = await startApp({ waitForModel: false });
    try {
      const [health, ready] = await Promise.all([
        fetch(`${server.url}/healthz`),
        fetch(`${server.url}/readyz`),
      ]);
      expect(health.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ error: 'not_ready' });
      await server.loaded;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('stays not ready, and says why in its log, when the model cannot load', async () => {
    const server = await startApp({ modelDir: '/nonexistent/model', waitForModel: false });
    try {
      await expect(server.loaded).rejects.toThrow();
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

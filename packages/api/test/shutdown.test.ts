import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegistry } from '@mri/registry';
import { describe, expect, it } from 'vitest';
import type { PredictionRecord } from '../src/predictions/record.js';
import { SERVE, serve, waitReady } from './support/process.js';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, testModel, withTempDir } from './support/server.js';

describe('pnpm serve as a process', () => {
  it('compiles a service that carries every WebAssembly module the packages load', async () => {
    const build = spawn(process.execPath, [SERVE, '--build-only'], { stdio: 'ignore' });
    expect((await once(build, 'exit'))[0]).toBe(0);
    const packages = fileURLToPath(new URL('../..', import.meta.url));
    const shipped: string[] = [];
    for (const name of await readdir(packages)) {
      const files = await readdir(join(packages, name, 'src'), { recursive: true }).catch(() => []);
      shipped.push(...files.filter((file) => file.endsWith('.wasm')).map((file) => basename(file)));
    }
    // Our convolution kernels (model) and the SIMD resize (data) at least.
    expect(shipped).toEqual(expect.arrayContaining(['conv.fma.wasm', 'filter-grad.wasm', 'resize.wasm']));
    const dist = await readdir(fileURLToPath(new URL('../dist', import.meta.url)));
    expect(dist).toEqual(expect.arrayContaining(shipped));
  }, 120_000);

  it('on SIGTERM answers every request in flight, logs them, then exits 0', async () => {
    await withTempDir(async (logDir) => {
      // A long batching wait holds the requests in the queue when the signal arrives.
      const { child, url } = await serve({
        MODEL: await testModel(),
        PREDICTION_LOG: logDir,
        MAX_WAIT_MS: '800',
      });
      await waitReady(url);
      const images = sampleImages('Testing').slice(0, 6);
      const inFlight = images.map((image) => postForm(url, imageForm(readSample(image.path))));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');

      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => answer.status)).toEqual(images.map(() => 200));
      const [code] = await exited;
      expect(code).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();

      const files = await readdir(logDir);
      expect(files).toHaveLength(1);
      const lines = (await readFile(join(logDir, files[0] as string), 'utf8')).trim().split('\n');
      const records = lines.map((line) => JSON.parse(line) as PredictionRecord);
      expect(records).toHaveLength(images.length);
      for (const record of records) {
        expect(record).toMatchObject({
          modelVersion: expect.any(String),
          predicted: expect.any(String),
          confidence: expect.any(Number),
          image: { mean: expect.any(Number), std: expect.any(Number), bytes: expect.any(Number) },
        });
        expect(Date.parse(record.time)).not.toBeNaN();
      }
    });
  });

  it('serves a registry alias, and says which version', async () => {
    await withTempDir(async (root) => {
      const registry = join(root, 'registry');
      const models = openRegistry({ registryUrl: registry, cacheDir: join(root, 'cache') });
      const info = {
        architecture: 'compact',
        metrics: {},
        dataHash: 'd',
        configHash: 'c',
        config: {},
        run: null,
      };
      const entry = await models.register(await testModel(), info);
      await models.promote(entry.version, 'production');
      const { child, url } = await serve({ MODEL: 'production', REGISTRY: registry, PREDICTION_LOG: '' });
      try {
        await waitReady(url);
        const ready = (await (await fetch(`${url}/readyz`)).json()) as { model: { version: string } };
        expect(ready.model.version).toBe(entry.version);
        const image = sampleImages('Testing')[0]?.path ?? '';
        expect((await postForm(url, imageForm(readSample(image)))).status).toBe(200);
      } finally {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    });
  });

  it('refuses a bad environment with one sentence and exit code 1', async () => {
    const child = spawn(process.execPath, [SERVE], {
      env: { ...process.env, PORT: 'eighty', MAX_BATCH: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Invalid environment: PORT: .*MAX_BATCH: .*\.$/m);
  });

  it('refuses a MODEL that is neither a model directory nor a known alias', async () => {
    const child = spawn(process.execPath, [SERVE], {
      env: { ...process.env, MODEL: '/nonexistent/model', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('MODEL=/nonexistent/model');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * The service's model lifecycle and process edge, as separate processes: models refused when named, an alias
 * followed and swapped under load, a start with no model yet, and signals reaching the server through `pnpm serve`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { openRegistry } from '@mri/registry';
import { describe, expect, it } from 'vitest';
import { SERVE, serve, waitReady } from './support/process.js';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, testModel, withTempDir } from './support/server.js';

const image = () => readSample(sampleImages('Testing')[0]?.path ?? '');
const info = { architecture: 'compact', metrics: {}, dataHash: 'd', configHash: 'c', config: {}, run: null };

/** A copy of the test model whose weights are all NaN: it loads, and every score it gives is NaN. */
async function nanModel(dir: string): Promise<string> {
  await cp(await testModel(), dir, { recursive: true });
  const weights = await readFile(join(dir, 'weights.bin'));
  const nan = new Float32Array(weights.length / 4).fill(Number.NaN);
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(nan.buffer));
  return dir;
}

async function exitOf(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVE], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PREDICTION_LOG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code, stderr };
}

async function readyBody(url: string) {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}

describe('a model named explicitly that cannot serve', () => {
  it('is refused with one sentence and exit code 1: corrupt files, or weights giving non-finite scores', async () => {
    await withTempDir(async (root) => {
      const corrupt = join(root, 'corrupt');
      await cp(await testModel(), corrupt, { recursive: true });
      await writeFile(join(corrupt, 'model.json'), '{"modelTopology": ');
      const broken = await exitOf({ MODEL: corrupt });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/MODEL=.*corrupt cannot be served: /);
      expect(broken.stderr).not.toMatch(/\n\s+at /);

      const nan = await exitOf({ MODEL: await nanModel(join(root, 'nan')) });
      expect(nan.code).toBe(1);
      expect(nan.stderr).toMatch(/cannot be served: .*non-finite scores/);
    });
  }, 240_000);
});

describe('following a registry alias', () => {
  it('starts with no model (healthz 200, readyz and classify 503 with a sentence), then serves the first one', async () => {
    await withTempDir(async (root) => {
      const registry = join(root, 'registry');
      const { child, url } = await serve({
        MODEL: 'production',
        REGISTRY: registry,
        SEED_MODEL: '',
        PREDICTION_LOG: '',
        MODEL_POLL_SECONDS: '0.2',
      });
      try {
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        const ready = await readyBody(url);
        expect(ready.status).toBe(503);
        expect(ready.body.message).toMatch(/No model to serve yet.*empty/);
        const refused = await postForm(url, imageForm(image()));
        expect(refused.status).toBe(503);
        expect(refused.json).toMatchObject({ error: 'not_ready' });
        expect(refused.json.message).toMatch(/No model to serve yet/);

        await openRegistry({ registryUrl: registry }).register(await testModel(), info);
        await waitReady(url);
        const answer = await postForm(url, imageForm(image()));
        expect(answer.status).toBe(200);
        expect(answer.json.model).toMatchObject({ version: 'v1' });
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
  }, 240_000);

  it('seeds an empty registry with the shipped model and serves it as production', async () => {
    await withTempDir(async (root) => {
      const registry = join(root, 'registry');
      const { child, url, stderr } = await serve({
        MODEL: 'production',
        REGISTRY: registry,
        PREDICTION_LOG: '',
      });
      try {
        await waitReady(url);
        const answer = await postForm(url, imageForm(image()));
        expect(answer.status).toBe(200);
        expect(answer.json.model).toMatchObject({ version: 'v1' });
        const index = await openRegistry({ registryUrl: registry }).index();
        expect(index.aliases).toMatchObject({ production: 'v1', latest: 'v1' });
        expect(index.versions).toHaveLength(1);
        expect(index.versions[0]).toMatchObject({ source: 'shipped' });
        expect(stderr()).toMatch(/was empty: seeded it with reports\/model as v1/);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
  }, 240_000);

  it('swaps to a promoted version under load with no failed request, and keeps the last good one', async () => {
    await withTempDir(async (root) => {
      const registry = join(root, 'registry');
      const models = openRegistry({ registryUrl: registry });
      await models.register(await testModel(), info);
      const { child, url } = await serve({
        MODEL: 'production',
        REGISTRY: registry,
        PREDICTION_LOG: '',
        MODEL_POLL_SECONDS: '0.2',
      });
      try {
        await waitReady(url);
        const statuses = new Map<number, number>();
        const versions: string[] = [];
        let loading = true;
        const client = async () => {
          while (loading) {
            const answer = await postForm(url, imageForm(image()));
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            versions.push(String((answer.json.model as { version?: string } | undefined)?.version));
          }
        };
        const clients = Array.from({ length: 4 }, client);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const v2 = await models.register(await testModel(), info);
        await models.promote(v2.version, 'production');
        await until(async () => versions.at(-1) === 'v2');
        await new Promise((resolve) => setTimeout(resolve, 300));
        loading = false;
        await Promise.all(clients);
        expect([...statuses.keys()]).toEqual([200]);
        expect(versions).toContain('v1');
        expect(versions.at(-1)).toBe('v2');
        // Once the new version answers, the old one never does again.
        expect(versions.slice(versions.indexOf('v2'))).not.toContain('v1');

        // A broken version behind the alias: refused, the last good one keeps serving, readiness says why.
        const v3 = await models.register(await nanModel(join(root, 'nan')), info);
        await models.promote(v3.version, 'production');
        await until(async () => (await readyBody(url)).body.status === 'degraded');
        const ready = await readyBody(url);
        expect(ready.status).toBe(200);
        expect(ready.body.message).toMatch(
          /production points at v3, which was refused .*non-finite.*still serving v2/,
        );
        const answer = await postForm(url, imageForm(image()));
        expect(answer.status).toBe(200);
        expect(answer.json.model).toMatchObject({ version: 'v2' });
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
  }, 240_000);
});

describe('signals', () => {
  it('SIGTERM to `pnpm serve` (the pnpm process) reaches the server: in-flight requests answered, exit 0', async () => {
    const pnpm = process.env.npm_execpath;
    const command = pnpm?.includes('pnpm') ? [process.execPath, pnpm, 'serve'] : ['pnpm', 'serve'];
    const { child, url } = await serve(
      { MODEL: await testModel(), PREDICTION_LOG: '', MAX_WAIT_MS: '1000' },
      command,
    );
    await waitReady(url);
    const inFlight = Array.from({ length: 4 }, () => postForm(url, imageForm(image())));
    // All four are queued (the batch waits up to 1 s to fill, the most MAX_WAIT_MS allows) before the signal: a fixed
    // sleep could send it while a loaded machine is still receiving an upload, which shutdown rightly drops.
    await until(
      async () => /^inference_queue_depth 4$/m.test(await (await fetch(`${url}/metrics`)).text()),
      5000,
    );
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    await exited;
    // The server itself is gone, not orphaned and still listening.
    await until(
      () =>
        fetch(`${url}/healthz`).then(
          () => false,
          () => true,
        ),
      5000,
    );
  }, 240_000);

  it('on SIGTERM closes connections whose body is still dribbling in, and exits 0 at once', async () => {
    const { child, url } = await serve({ MODEL: await testModel(), PREDICTION_LOG: '' });
    await waitReady(url);
    const { port } = new URL(url);
    const sockets = Array.from({ length: 5 }, () => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write(
        'POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n',
      );
      return socket;
    });
    // One idle keep-alive connection too.
    await fetch(`${url}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const socket of sockets) socket.destroy();
  }, 240_000);
});

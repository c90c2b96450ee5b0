/**
 * Probes under overload: uploads refused on arrival while the batch queue is full (before a byte of their body is
 * read), readiness that says so, and the probe listener on a thread of its own (PROBE_PORT).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, sampleImages } from './support/sample.js';
import { type RunningApp, startApp, testConfig } from './support/server.js';

const mri = () => readSample(sampleImages('Testing')[0]?.path ?? '');

/** One worker, one image per batch, a short queue: a few direct submissions fill it for a while. */
const saturable = (extra: Parameters<typeof testConfig>[0] = {}) =>
  testConfig({
    batching: { workers: 1, maxBatch: 1, maxBatchPixels: 128 * 128, maxWaitMs: 0, maxQueue: 24 },
    ...extra,
  });

/**
 * Keeps the batch queue full with real images (one running, the rest waiting) until stopped. One fill drains in a
 * few hundred ms, which a loaded CI machine can spend before a test's request arrives; topping up on every turn of
 * the event loop keeps the queue full for as long as the test needs. `stop` resolves when every image is answered.
 */
function saturate(server: RunningApp): { stop: () => Promise<void> } {
  const bytes = mri();
  const submitted: Promise<unknown>[] = [];
  let running = true;
  const topUp = () => {
    if (!running) return;
    // Bounded: a service that cannot queue (no model) must fail the test, not hang it.
    for (let added = 0; added < 64 && !server.service.saturated; added++) {
      submitted.push(server.service.classify(new Uint8Array(bytes)).catch((error: unknown) => error));
    }
    setImmediate(topUp);
  };
  topUp();
  return {
    stop: async () => {
      running = false;
      await Promise.all(submitted);
    },
  };
}

/** Sends raw bytes on a new connection and resolves with the first response's status line, headers and body. */
function rawExchange(
  url: string,
  request: string,
  timeoutMs = 10_000,
): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.slice(0, end);
      const length = Number(head.match(/content-length: (\d+)/i)?.[1] ?? 0);
      const body = received.slice(end + 4);
      if (body.length < length) return;
      socket.destroy();
      resolve({ status: Number(head.split(' ')[1]), head, body: body.slice(0, length) });
    });
    socket.write(request);
  });
}

/**
 * Headers announcing a body that never comes, so only an answer given before the body can arrive. The queue is
 * full, but a batch finishing in the same turn of the event loop as the headers arrive can leave one slot free for
 * that instant; the request then waits for its body, so it is abandoned after 2 s and sent again (at most 5 times).
 */
async function shedBeforeBody(
  url: string,
  contentLength: number,
): Promise<{ status: number; head: string; body: string }> {
  const request =
    'POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
    `Content-Length: ${contentLength}\r\n\r\n`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await rawExchange(url, request, 2000);
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
}

describe('shedding on arrival', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp({ config: saturable() });
  });
  afterAll(() => server.close());

  it('refuses an upload with 503 + Retry-After before reading its body while the queue is full, and /readyz says so', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const queue = saturate(server);
    expect(server.service.saturated).toBe(true);
    const answer = await shedBeforeBody(server.url, 900_000);
    expect(answer.status).toBe(503);
    expect(answer.head).toMatch(/retry-after: 1/i);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'overloaded' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: 'overloaded' });
    await queue.stop();
    expect(server.service.saturated).toBe(false);
    // Readiness comes back a moment after the last shed request.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe('the probe listener (PROBE_PORT)', () => {
  let server: RunningApp;
  let probeUrl: string;
  beforeAll(async () => {
    server = await startApp({
      config: saturable({ host: '127.0.0.1', probes: { port: 0, stallMs: 1000 } }),
    });
    probeUrl = `http://127.0.0.1:${server.probes?.port}`;
  });
  afterAll(() => server.close());

  it('answers /healthz and the same /readyz as the service port, and nothing else', async () => {
    const health = await fetch(`${probeUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await waitFor(async () => (await fetch(`${probeUrl}/readyz`)).status === 200);
    const [own, main] = await Promise.all([
      fetch(`${probeUrl}/readyz`).then((response) => response.json()),
      fetch(`${server.url}/readyz`).then((response) => response.json()),
    ]);
    expect(own).toEqual(main);
    expect(own).toMatchObject({ status: 'ready', model: { version: 'test-1' } });
    const other = await fetch(`${probeUrl}/classify`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'not_found' });
  });

  it('reports shedding on /readyz within moments, and ready again after', async () => {
    const queue = saturate(server);
    expect((await shedBeforeBody(server.url, 10)).status).toBe(503);
    await waitFor(async () => (await fetch(`${probeUrl}/readyz`)).status === 503);
    const shedding = await fetch(`${probeUrl}/readyz`);
    expect(shedding.headers.get('retry-after')).toBe('1');
    expect(await shedding.json()).toMatchObject({ error: 'overloaded' });
    expect((await fetch(`${probeUrl}/healthz`)).status).toBe(200);
    await queue.stop();
    await waitFor(async () => (await fetch(`${probeUrl}/readyz`)).status === 200);
  });

  it('fails both probes while the main event loop does not turn (a deadlock), and recovers', async () => {
    // The main thread will be blocked, so another thread asks, 1.5 s into the stall (the limit is 1 s).
    const asker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.postMessage('ready');
       setTimeout(async () => {
         const answers = await Promise.all(['/healthz', '/readyz'].map((path) =>
           fetch(workerData + path).then(async (r) => ({ status: r.status, body: await r.json() }))));
         parentPort.postMessage(answers);
       }, 1500);`,
      { eval: true, workerData: probeUrl },
    );
    await once(asker, 'message');
    const answered = once(asker, 'message') as Promise<[{ status: number; body: { error?: string } }[]]>;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      // Busy: no timers, no I/O on this thread.
    }
    const [answers] = await answered;
    await asker.terminate();
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('stalled');
    }
    await waitFor(async () => (await fetch(`${probeUrl}/healthz`)).status === 200);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Not true within ${ms} ms.`);
}

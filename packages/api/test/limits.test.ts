import { connect } from 'node:net';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MemoryBudget, OverBudgetError } from '../src/admission.js';
import { readSample, sampleImages } from './support/sample.js';
import { imageForm, postForm, rawMultipart, startApp, testConfig } from './support/server.js';

const mri = () => readSample(sampleImages('Testing')[0]?.path ?? '');

describe('MemoryBudget', () => {
  it('admits within capacity, queues in order, and sheds what waits too long', async () => {
    const budget = new MemoryBudget({ capacityBytes: 100, maxWaitMs: 50 });
    const first = await budget.reserve(60);
    const second = budget.reserve(60);
    const third = budget.reserve(30);
    expect(budget.waiters).toBe(2);
    // Arrival order: the small third request does not jump the queue.
    first.release();
    const granted = await second;
    expect(budget.inUseBytes).toBe(90);
    expect(await third).toBeDefined();
    await expect(budget.reserve(20)).rejects.toBeInstanceOf(OverBudgetError);
    expect(budget.shed).toBe(1);
    expect(budget.shedding).toBe(true);
    granted.release();
    expect(budget.inUseBytes).toBe(30);
  });

  it('lets a request larger than the whole budget run alone', async () => {
    const budget = new MemoryBudget({ capacityBytes: 100, maxWaitMs: 50 });
    const huge = await budget.reserve(500);
    expect(budget.inUseBytes).toBe(100);
    huge.release();
    expect(budget.inUseBytes).toBe(0);
  });
});

describe('admission under a burst of large uploads', () => {
  it('answers every request with 200 or 503 + Retry-After, and readiness reports the shedding', async () => {
    const image = readSample(sampleImages('Testing')[0]?.path ?? '');
    const large = await sharp(image).resize(1600).jpeg({ quality: 100 }).toBuffer();
    const server = await startApp({
      config: testConfig({
        limits: { maxUploadBytes: 4 * 1024 * 1024, maxPixels: 4_000_000 },
        // Room for about two of these uploads at once; the rest wait 100 ms, then are shed.
        admission: { budgetBytes: 2 * large.length + 64 * 1024, maxWaitMs: 100 },
      }),
    });
    try {
      let settled = false;
      const burst = Promise.all(
        Array.from({ length: 16 }, () => postForm(server.url, imageForm(large))),
      ).finally(() => {
        settled = true;
      });
      // Readiness is asked while the burst runs: after it, how long the 200s took decides whether the last shed
      // request is still within readiness's one-second memory, which a loaded machine makes a coin toss.
      const readiness: { status: number; error?: string }[] = [];
      while (!settled) {
        const ready = await fetch(`${server.url}/readyz`);
        readiness.push({ status: ready.status, ...((await ready.json()) as { error?: string }) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const answers = await burst;
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      for (const answer of answers.filter((a) => a.status === 503)) {
        expect(answer.headers.get('retry-after')).toBe('1');
        expect(answer.json).toMatchObject({ error: 'overloaded' });
      }
      expect(readiness).toContainEqual(expect.objectContaining({ status: 503, error: 'overloaded' }));
      await expect
        .poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 5000 })
        .toBe(200);
      expect(server.service.model).toBeDefined();
    } finally {
      await server.close();
    }
  });
});

describe('timeouts', () => {
  it('answers 408 and closes the socket when the body does not arrive in time', async () => {
    const server = await startApp({ config: testConfig({ timeouts: { bodyMs: 1000, keepAliveMs: 5000 } }) });
    try {
      const { port } = new URL(server.url);
      const { body, contentType } = rawMultipart([{ field: 'file', filename: 'a.jpg', bytes: mri() }]);
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
      const started = Date.now();
      socket.write(
        `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, 100));
      const closedAt = await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(closedAt - started).toBeLessThan(4000);
      // The memory the upload had reserved is given back, and the service keeps answering.
      await expect
        .poll(
          async () =>
            (await (await fetch(`${server.url}/metrics`)).text()).match(
              /^admission_bytes_in_use (\d+)/m,
            )?.[1],
        )
        .toBe('0');
      expect((await postForm(server.url, imageForm(mri()))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('closes an idle keep-alive socket after the keep-alive timeout', async () => {
    const server = await startApp({ config: testConfig({ timeouts: { bodyMs: 30_000, keepAliveMs: 300 } }) });
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      // Read what arrives: a socket nobody reads never sees the server's end, and so never closes.
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const started = Date.now();
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 200/);
      expect(received).toMatch(/keep-alive/i);
      // Node adds a second to the advertised keep-alive before it closes, so clients do not race the close.
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await server.close();
    }
  });
});

describe('abuse limits', () => {
  it('limits each client per minute on /classify with 429, and never limits the probes', async () => {
    const server = await startApp({
      config: testConfig({ abuse: { ratePerMinute: 3, apiKey: '', trustProxy: false } }),
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await postForm(server.url, imageForm(mri()))).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await postForm(server.url, imageForm(mri()));
      expect(limited.json).toMatchObject({ error: 'rate_limited' });
      expect(limited.headers.get('retry-after')).toBeTruthy();
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('requires the API key when one is configured', async () => {
    const server = await startApp({
      config: testConfig({ abuse: { ratePerMinute: 0, apiKey: 's3cret-key', trustProxy: false } }),
    });
    try {
      const without = await postForm(server.url, imageForm(mri()));
      expect(without.status).toBe(401);
      expect(without.json).toMatchObject({ error: 'unauthorized' });
      expect((await postForm(server.url, imageForm(mri()), { 'x-api-key': 'wrong' })).status).toBe(401);
      expect((await postForm(server.url, imageForm(mri()), { 'x-api-key': 's3cret-key' })).status).toBe(200);
      expect((await fetch(`${server.url}/drift`)).status).toBe(401);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('whether an input looks like the training data', () => {
  it('says in_distribution true for a scan, false with a sentence for a photograph and a blank image', async () => {
    const server = await startApp();
    try {
      const scan = await postForm(server.url, imageForm(mri()));
      expect(scan.json).toMatchObject({ in_distribution: true, input_message: expect.any(String) });

      // A photograph: bright sky over green fields, a warm sun, some texture, in colour.
      const width = 320;
      const height = 240;
      const pixels = Buffer.alloc(width * height * 3);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          const sky = y < height * 0.55;
          const sun = (x - 240) ** 2 + (y - 50) ** 2 < 900;
          const texture = ((x * 7 + y * 13) % 23) - 11;
          const [r, g, b] = sun
            ? [255, 236, 150]
            : sky
              ? [120 + y / 3, 170 + y / 4, 235]
              : [70, 150 + texture, 60];
          pixels[i] = r;
          pixels[i + 1] = g;
          pixels[i + 2] = b;
        }
      }
      const photo = await sharp(pixels, { raw: { width, height, channels: 3 } })
        .jpeg()
        .toBuffer();
      const blank = await sharp({ create: { width: 224, height: 224, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer();
      for (const image of [photo, blank]) {
        const answer = await postForm(server.url, imageForm(image));
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ in_distribution: false });
        expect(answer.json.input_message).toMatch(/does not look like the brain MRI slices/);
      }
    } finally {
      await server.close();
    }
  });
});

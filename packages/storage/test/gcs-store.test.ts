import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsStore, openStore, StorageError } from '../src/index.js';
import { FakeGcsServer } from '../src/testing.js';

let gcs: FakeGcsServer;
beforeAll(async () => {
  gcs = await FakeGcsServer.start({ buckets: ['bucket'] });
});
afterAll(async () => {
  await gcs.close();
});

function bytesOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
}

function uploadsSince(start: number) {
  return gcs.requests.slice(start).filter((request) => request.uploadType);
}

describe('GcsStore over the JSON API', () => {
  it('sends small objects as one multipart upload, under its prefix', async () => {
    const store = new GcsStore('bucket', 'runs', { apiEndpoint: gcs.url });
    const start = gcs.requests.length;
    await store.write('a/metrics.json', '{"accuracy":0.97}');
    expect(uploadsSince(start)).toEqual([
      { method: 'POST', path: '/upload/storage/v1/b/bucket/o', uploadType: 'multipart' },
    ]);
    expect(gcs.objects('bucket').get('runs/a/metrics.json')?.bytes.toString()).toBe('{"accuracy":0.97}');
  });

  it('sends large objects as a resumable upload in chunks and reads them back verified', async () => {
    const chunk = 256 * 1024;
    const store = new GcsStore('bucket', '', {
      apiEndpoint: gcs.url,
      resumableThreshold: chunk,
      chunkSize: chunk,
    });
    const bytes = bytesOf(2 * chunk + 1234);
    const start = gcs.requests.length;
    await store.write('model/weights.bin', bytes);
    const uploads = uploadsSince(start).map((request) => request.method);
    expect(uploads).toEqual(['POST', 'PUT', 'PUT', 'PUT']);
    // Compared as buffers: a deep equality over half a million elements costs seconds.
    expect(Buffer.from((await store.read('model/weights.bin')) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('sends a large object as one resumable stream when no chunk size is set', async () => {
    const store = new GcsStore('bucket', '', { apiEndpoint: gcs.url, resumableThreshold: 1000 });
    const bytes = bytesOf(5000);
    const start = gcs.requests.length;
    await store.write('one-stream.bin', bytes);
    expect(uploadsSince(start).map((r) => `${r.method} ${r.uploadType}`)).toEqual([
      'POST resumable',
      'PUT resumable',
    ]);
    expect(gcs.objects('bucket').get('one-stream.bin')?.bytes).toEqual(Buffer.from(bytes));
  });

  it('retries through a transient outage', async () => {
    const store = new GcsStore('bucket', '', {
      apiEndpoint: gcs.url,
      retryOptions: { retryDelayMultiplier: 1, maxRetryDelay: 1, totalTimeout: 20 },
    });
    await store.write('flaky', 'v1');
    gcs.failNext(1, 503);
    expect(new TextDecoder().decode(await store.read('flaky'))).toBe('v1');
    gcs.failNext(1, 503);
    await store.write('flaky', 'v2');
    expect(gcs.objects('bucket').get('flaky')?.bytes.toString()).toBe('v2');
  });

  it('honours STORAGE_EMULATOR_HOST like the client does', async () => {
    const previous = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = gcs.url;
    try {
      const store = openStore('gs://bucket/emulated');
      await store.write('k', 'through the emulator host');
      expect(await store.list('')).toEqual(['k']);
      expect(new TextDecoder().decode(await store.read('k'))).toBe('through the emulator host');
    } finally {
      if (previous === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = previous;
    }
  });

  it('says in one sentence that a bucket does not exist', async () => {
    const store = new GcsStore('no-such-bucket', '', { apiEndpoint: gcs.url });
    await expect(store.write('k', 'v')).rejects.toThrow(StorageError);
    await expect(store.read('k')).rejects.toThrow(
      'Bucket gs://no-such-bucket does not exist: create it or fix the URL.',
    );
  });

  it('reports the checksums GCS reports, for whole objects and for views into a larger buffer', async () => {
    const store = new GcsStore('bucket', '', { apiEndpoint: gcs.url });
    // A view into a larger buffer: the checksum must cover these 11 bytes, not the whole backing store.
    const padded = new TextEncoder().encode('xxhello worldyy');
    await store.write('hello', padded.subarray(2, 13));
    const media = await fetch(`${gcs.url}/storage/v1/b/bucket/o/hello?alt=media`);
    const metadata = (await (await fetch(`${gcs.url}/storage/v1/b/bucket/o/hello`)).json()) as {
      crc32c: string;
    };
    // Known CRC-32C of "hello world" (Castagnoli polynomial): 0xc99465aa.
    const expected = Buffer.from('c99465aa', 'hex').toString('base64');
    expect(media.headers.get('x-goog-hash')).toContain(`crc32c=${expected}`);
    expect(metadata.crc32c).toBe(expected);
    expect(new TextDecoder().decode(await store.read('hello'))).toBe('hello world');
  });
});

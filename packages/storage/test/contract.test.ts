import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, GcsStore, openStore, StorageError } from '../src/index.js';
import { FakeGcsServer } from '../src/testing.js';

// The same behaviour is required of every backend: run one suite against a folder and against GCS over HTTP.
let folder: string;
let gcs: FakeGcsServer;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'storage-contract-'));
  gcs = await FakeGcsServer.start({ buckets: ['contract'], pageSize: 2 });
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await gcs.close();
});

const backends: [string, () => BlobStore][] = [
  ['folder', () => openStore(join(folder, 'store'))],
  ['gcs', () => new GcsStore('contract', 'some/prefix', { apiEndpoint: gcs.url })],
];

describe.each(backends)('%s store', (_name, open) => {
  it('reads back the exact bytes and strings written', async () => {
    const store = open();
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await store.write('a/b/bytes.bin', bytes);
    await store.write('a/text.json', '{"ok":true}');
    expect(await store.read('a/b/bytes.bin')).toEqual(bytes);
    expect(new TextDecoder().decode(await store.read('a/text.json'))).toBe('{"ok":true}');
  });

  it('answers undefined and false for a key never written', async () => {
    const store = open();
    expect(await store.read('missing/key')).toBeUndefined();
    expect(await store.exists('missing/key')).toBe(false);
  });

  it('replaces an object on a second write', async () => {
    const store = open();
    await store.write('over.txt', 'first');
    await store.write('over.txt', 'second, longer');
    expect(new TextDecoder().decode(await store.read('over.txt'))).toBe('second, longer');
    expect(await store.exists('over.txt')).toBe(true);
  });

  it('lists keys under a prefix, sorted, across pages, with prefixes that cut a name', async () => {
    const store = open();
    for (const key of ['list/b/2', 'list/a/1', 'list/c', 'list-other', 'listing/x'])
      await store.write(key, key);
    expect(await store.list('list/')).toEqual(['list/a/1', 'list/b/2', 'list/c']);
    expect(await store.list('list')).toEqual(['list-other', 'list/a/1', 'list/b/2', 'list/c', 'listing/x']);
    expect(await store.list('list/a')).toEqual(['list/a/1']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('deletes, and deleting twice is not an error', async () => {
    const store = open();
    await store.write('gone', 'x');
    await store.delete('gone');
    await store.delete('gone');
    expect(await store.exists('gone')).toBe(false);
  });

  it('creates exclusively: of two creations of one key, only the first writes', async () => {
    const store = open();
    expect(await store.writeIfGeneration('claim/v1', 'first', null)).toBe(true);
    expect(await store.writeIfGeneration('claim/v1', 'second', null)).toBe(false);
    expect(new TextDecoder().decode(await store.read('claim/v1'))).toBe('first');
  });

  it('compares and swaps: a write from a stale generation is refused and changes nothing', async () => {
    const store = open();
    await store.write('cas.json', 'v0');
    const seen = await store.readVersioned('cas.json');
    expect(new TextDecoder().decode(seen?.bytes)).toBe('v0');
    expect(await store.writeIfGeneration('cas.json', 'v1', seen?.generation ?? null)).toBe(true);
    // A second writer that read v0 too must not overwrite v1.
    expect(await store.writeIfGeneration('cas.json', 'v1-lost', seen?.generation ?? null)).toBe(false);
    const now = await store.readVersioned('cas.json');
    expect(new TextDecoder().decode(now?.bytes)).toBe('v1');
    expect(now?.generation).not.toBe(seen?.generation);
    expect(await store.writeIfGeneration('cas.json', 'v2', now?.generation ?? null)).toBe(true);
    expect(await store.readVersioned('missing.json')).toBeUndefined();
    expect(await store.writeIfGeneration('missing.json', 'x', 'some-generation')).toBe(false);
  });

  it('loses no update when many writers increment one counter at once', async () => {
    const store = open();
    await store.write('counter', '0');
    const increment = async () => {
      for (;;) {
        const seen = await store.readVersioned('counter');
        const next = String(Number(new TextDecoder().decode(seen?.bytes)) + 1);
        if (await store.writeIfGeneration('counter', next, seen?.generation ?? null)) return;
      }
    };
    await Promise.all(Array.from({ length: 8 }, increment));
    expect(new TextDecoder().decode(await store.read('counter'))).toBe('8');
    expect(await store.list('counter')).toEqual(['counter']);
  }, 30_000);

  it('refuses keys that could escape the store', async () => {
    const store = open();
    for (const key of ['../x', 'a//b', '/abs', 'a/./b', 'a\\b', '']) {
      await expect(store.write(key, 'x')).rejects.toThrow(StorageError);
    }
    await expect(store.list('../')).rejects.toThrow(/not valid/);
  });
});

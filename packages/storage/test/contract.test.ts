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

  it('refuses keys that could escape the store', async () => {
    const store = open();
    for (const key of ['../x', 'a//b', '/abs', 'a/./b', 'a\\b', '']) {
      await expect(store.write(key, 'x')).rejects.toThrow(StorageError);
    }
    await expect(store.list('../')).rejects.toThrow(/not valid/);
  });
});

import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderStore, openStore, StorageError } from '../src/index.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'folder-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FolderStore', () => {
  it('leaves no temp file behind and keeps the old object when a write fails', async () => {
    const store = new FolderStore(root);
    await store.write('model/weights.bin', 'old');
    // A folder where the file should go makes the rename fail after the temp file was written.
    await mkdir(join(root, 'model', 'blocked', 'inner'), { recursive: true });
    await expect(store.write('model/blocked', 'new')).rejects.toThrow();
    expect(await readdir(join(root, 'model'))).toEqual(['blocked', 'weights.bin']);
    expect(new TextDecoder().decode(await store.read('model/weights.bin'))).toBe('old');
  });

  it('does not list half-written temp files', async () => {
    const store = new FolderStore(root);
    await store.write('runs/a.json', '{}');
    await writeFile(join(root, 'runs', '.tmp-1-0-0123456789ab-b.json'), 'partial');
    expect(await store.list('runs/')).toEqual(['runs/a.json']);
  });

  it('opens file:// URLs and plain paths alike', async () => {
    await openStore(pathToFileURL(root).href).write('k', 'v');
    expect(await openStore(root).exists('k')).toBe(true);
    expect(openStore(root).url).toBe(root);
  });
});

describe('openStore', () => {
  it('opens gs:// URLs as GCS stores with their prefix', () => {
    expect(openStore('gs://my-bucket/models/prod/').url).toBe('gs://my-bucket/models/prod');
    expect(openStore('gs://my-bucket').url).toBe('gs://my-bucket');
  });

  it('refuses unsupported schemes and bad bucket names with one sentence', () => {
    expect(() => openStore('s3://bucket/x')).toThrow(StorageError);
    expect(() => openStore('s3://bucket/x')).toThrow(/not supported/);
    expect(() => openStore('gs://Bad_Bucket!')).toThrow(/valid GCS bucket/);
    expect(() => openStore(' ')).toThrow(/empty/);
  });
});

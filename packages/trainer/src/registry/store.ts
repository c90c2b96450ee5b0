/**
 * Opens the blob store behind a registry or an upload URL. Until @mri/storage lands on main this is a minimal
 * local-folder store; gs:// URLs need @mri/storage.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BlobStore } from '@mri/storage';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { fromRepo } from '../paths.js';

export function openBlobStore(url: string): BlobStore {
  if (url.startsWith('gs://')) throw new UserError(`Cannot open ${url}: GCS buckets need @mri/storage.`);
  return new LocalFolderStore(fromRepo(url));
}

class LocalFolderStore implements BlobStore {
  constructor(readonly url: string) {}

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.url, key)));
    } catch {
      return undefined;
    }
  }

  async write(key: string, bytes: Uint8Array | string): Promise<void> {
    writeFileAtomic(join(this.url, key), bytes);
  }

  async exists(key: string): Promise<boolean> {
    return (await stat(join(this.url, key)).catch(() => undefined))?.isFile() ?? false;
  }

  async list(prefix: string): Promise<string[]> {
    await mkdir(this.url, { recursive: true });
    const files = (await readdir(this.url, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.tmp-'))
      .map((e) => relative(this.url, join(e.parentPath, e.name)).split(sep).join('/'));
    return files.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.url, key), { force: true });
  }
}

import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName, writeFileAtomic } from '@mri/atomic-file';
import type { BlobStore } from './contract.js';
import { checkKey, checkPrefix } from './keys.js';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A blob store in a local folder: one file per key, written to a temp file beside it and renamed into place. */
export class FolderStore implements BlobStore {
  readonly url: string;

  constructor(readonly root: string) {
    this.url = root;
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw error;
    }
  }

  async write(key: string, bytes: Uint8Array | string): Promise<void> {
    await writeFileAtomic(this.pathOf(key), bytes);
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Walk only the deepest folder the prefix fully names; the rest of the prefix filters names, as GCS does.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    await this.walk(folder, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  private async walk(folder: string, into: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder ? join(this.root, ...folder.split('/')) : this.root, {
        withFileTypes: true,
      });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      // Half-written files (`@mri/atomic-file`'s temp names) are no keys until renamed into place.
      if (isTempName(entry.name)) continue;
      const key = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

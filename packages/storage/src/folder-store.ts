import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isTempName, tempPathFor, writeFileAtomic } from '@mri/atomic-file';
import type { BlobStore, Versioned } from './contract.js';
import { type LockOptions, withFileLock } from './file-lock.js';
import { checkKey, checkPrefix } from './keys.js';

/** The lock guarding a compare-and-swap of `name` is `.lock-name` beside it; listings never show it. */
export const LOCK_PREFIX = '.lock-';

/** A folder has no generation numbers: an object's generation is its content hash, which changes when it does. */
function generationOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A blob store in a local folder: one file per key, written to a temp file beside it and renamed into place. */
export class FolderStore implements BlobStore {
  readonly url: string;

  constructor(
    readonly root: string,
    private readonly lockOptions: LockOptions = {},
  ) {
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

  async readVersioned(key: string): Promise<Versioned | undefined> {
    const bytes = await this.read(key);
    return bytes && { bytes, generation: generationOf(bytes) };
  }

  async writeIfGeneration(
    key: string,
    bytes: Uint8Array | string,
    generation: string | null,
  ): Promise<boolean> {
    const target = this.pathOf(key);
    if (generation === null) {
      // link() fails when the target exists: an exclusive creation of a complete file, with no lock.
      try {
        await this.place(target, bytes, link);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    }
    await mkdir(dirname(target), { recursive: true });
    const lock = join(dirname(target), `${LOCK_PREFIX}${basename(target)}`);
    return withFileLock(
      lock,
      async () => {
        const current = await this.readVersioned(key);
        if (current?.generation !== generation) return false;
        await this.place(target, bytes, rename);
        return true;
      },
      this.lockOptions,
    );
  }

  /** Writes a temp file beside the target and moves it into place with `move` (rename, or link for exclusive). */
  private async place(
    target: string,
    bytes: Uint8Array | string,
    move: (from: string, to: string) => Promise<void>,
  ): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    try {
      await writeFile(temp, bytes);
      await move(temp, target);
    } finally {
      // After a rename the temp name is gone already; after a link (or a failure) it must go.
      await rm(temp, { force: true });
    }
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
      // Half-written files (`@mri/atomic-file`'s temp names) and compare-and-swap locks are no keys.
      if (isTempName(entry.name) || entry.name.startsWith(LOCK_PREFIX)) continue;
      const key = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

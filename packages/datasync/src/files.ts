import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DirEntry } from './manifest.js';
import { runPool } from './pool.js';

/** Our half-written files: a pull interrupted mid-file leaves one, the next run removes it and no hash includes it. */
export const TEMP_MARK = '.datasync-tmp-';

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes beside the target, then renames: a reader (or a resumed pull) sees the old file or the new, never part. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `${TEMP_MARK}${basename(path)}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Every file under `root` as a slash-separated relative path (symlinks followed, our temp files skipped). */
export async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(TEMP_MARK)) continue;
      const full = join(folder, entry.name);
      const info = entry.isSymbolicLink() ? await stat(full) : entry;
      if (info.isDirectory()) await walk(full, `${prefix}${entry.name}/`);
      else if (info.isFile()) found.push(`${prefix}${entry.name}`);
    }
  };
  await walk(root, '');
  return found;
}

/** Removes temp files a killed pull left behind. */
export async function removeStaleTemps(root: string): Promise<number> {
  let removed = 0;
  const walk = async (folder: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.name.startsWith(TEMP_MARK)) {
        await rm(full, { force: true });
        removed++;
      } else if (entry.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return removed;
}

export interface HashedDirectory {
  readonly entries: DirEntry[];
  readonly size: number;
}

/** Hashes every file of a directory, a few at a time (hashing is I/O-bound on 20 KB images). */
export async function hashDirectory(
  root: string,
  jobs: number,
  onFile?: (relpath: string) => void,
): Promise<HashedDirectory> {
  const relpaths = await listFiles(root);
  const entries: DirEntry[] = [];
  let size = 0;
  await runPool(relpaths, jobs, async (relpath) => {
    const path = join(root, ...relpath.split('/'));
    const [md5, info] = await Promise.all([md5File(path), stat(path)]);
    entries.push({ md5, relpath });
    size += info.size;
    onFile?.(relpath);
  });
  return { entries, size };
}

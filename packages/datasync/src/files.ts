import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName } from '@mri/atomic-file';
import type { DirEntry } from './manifest.js';
import { runPool } from './pool.js';

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Every file under `root` as a slash-separated relative path (symlinks followed, half-written temp files skipped). */
export async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (isTempName(entry.name)) continue;
      const full = join(folder, entry.name);
      const info = entry.isSymbolicLink() ? await stat(full) : entry;
      if (info.isDirectory()) await walk(full, `${prefix}${entry.name}/`);
      else if (info.isFile()) found.push(`${prefix}${entry.name}`);
    }
  };
  await walk(root, '');
  return found;
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

/** Copies a finished run folder to a blob store (a bucket or a folder), keyed by its path under the output folder. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { openBlobStore } from '@mri/registry';
import type { BlobStore } from '@mri/storage';

export async function uploadRun(runDir: string, outputDir: string, url: string): Promise<string> {
  const store = openBlobStore(url);
  const prefix = `runs/${relative(outputDir, runDir).split(sep).join('/')}`;
  await uploadDir(store, runDir, prefix);
  return `${store.url}/${prefix}`;
}

/** Every finished file of a folder, under `prefix/` in the store (temp files still being written are skipped). */
export async function uploadDir(store: BlobStore, dir: string, prefix: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.tmp-')) continue;
    const path = join(entry.parentPath, entry.name);
    await store.write(`${prefix}/${relative(dir, path).split(sep).join('/')}`, await readFile(path));
  }
}

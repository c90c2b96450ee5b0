/** Copies a finished run folder to a blob store (a bucket or a folder), keyed by its path under the output folder. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { openBlobStore } from '@mri/registry';

export async function uploadRun(runDir: string, outputDir: string, url: string): Promise<string> {
  const store = openBlobStore(url);
  const prefix = `runs/${relative(outputDir, runDir).split(sep).join('/')}`;
  const entries = await readdir(runDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.tmp-')) continue;
    const path = join(entry.parentPath, entry.name);
    await store.write(`${prefix}/${relative(runDir, path).split(sep).join('/')}`, await readFile(path));
  }
  return `${store.url}/${prefix}`;
}

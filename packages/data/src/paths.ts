/**
 * Where the repository's folders are, found once for every package (the data, the registry, the trainer), so
 * commands work from any working directory.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. Independent of cwd. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot();

/** A path from a config or the command line: relative ones are relative to the repository root, as the configs are written. */
export function fromRepo(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}
/** The embedded sample: the main job's default input and the tests' data. */
export const SAMPLE_ROOT = join(REPO_ROOT, 'sample', 'brain-mri');
/** Processed caches live here, one folder per dataset and image size (git-ignored). */
export const CACHE_ROOT = join(REPO_ROOT, '.cache', 'processed');

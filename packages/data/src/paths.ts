import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
/** The embedded sample: the main job's default input and the tests' data. */
export const SAMPLE_ROOT = join(REPO_ROOT, 'sample', 'brain-mri');
/** Processed caches live here, one folder per dataset and image size (git-ignored). */
export const CACHE_ROOT = join(REPO_ROOT, '.cache', 'processed');

/**
 * A build done once per content: the result lives under `<cacheDir>/<hash>/<name>`, where the hash covers the
 * named inputs (files, folders, strings); parallel callers (vitest projects, workers) wait on a lock folder
 * instead of building twice, and a half-built result is never visible (staged, then renamed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LOCK_STALE_MS = 5 * 60_000;

export interface CachedBuild {
  /** Where cached results live, one folder per hash. */
  readonly cacheDir: string;
  /** The result's folder name inside its hash folder. */
  readonly name: string;
  /** Folders and files whose bytes (and paths relative to `root`) the result depends on. */
  readonly inputs: readonly string[];
  readonly root: string;
  /** Anything else the result depends on (settings, overrides). */
  readonly salt: string;
  /** Writes the result into the folder it is given. */
  build(into: string): Promise<void>;
}

export async function cachedBuild(options: CachedBuild): Promise<string> {
  const target = join(options.cacheDir, contentHash(options), options.name);
  if (existsSync(target)) return target;
  await withLock(join(options.cacheDir, 'lock'), async () => {
    if (existsSync(target)) return;
    const staging = `${target}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(target, '..'), { recursive: true });
    await options.build(staging);
    renameSync(staging, target);
  });
  return target;
}

/** A hash of `salt` and of every file under `inputs` (its path relative to `root`, then its bytes). */
export function contentHash(options: Pick<CachedBuild, 'inputs' | 'root' | 'salt'>): string {
  const hash = createHash('sha256').update(options.salt);
  for (const input of options.inputs) {
    for (const file of filesUnder(input)) {
      hash.update(relative(options.root, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Runs `work` holding a lock folder, so parallel processes build one at a time; a lock older than `staleMs` was
 * left by a killed holder and is taken over.
 */
export async function withLock(
  lockDir: string,
  work: () => Promise<void>,
  staleMs = LOCK_STALE_MS,
): Promise<void> {
  mkdirSync(join(lockDir, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleMs) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * A lock file for a short critical section across processes on one machine (or one shared file system): created
 * with O_EXCL, holding its owner's pid, host and start time. A lock whose owner died (its pid is gone on this host)
 * or that is older than `staleMs` is recovered: renamed aside, then deleted, so a killed process never blocks the
 * next one.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { processAlive } from '@mri/atomic-file';
import { StorageError } from './errors.js';

export interface LockOptions {
  /** A lock at least this old is presumed abandoned; the sections it guards take milliseconds. */
  readonly staleMs?: number;
  /** Give up waiting after this long with a sentence naming the lock and its owner. */
  readonly timeoutMs?: number;
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: number;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 60_000;

export async function withFileLock<T>(
  lockPath: string,
  section: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await section();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<void> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const me: Owner = { pid: process.pid, host: hostname(), since: Date.now() };
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockPath, JSON.stringify(me), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lockPath);
    if (owner === 'gone') continue;
    if (await isStale(lockPath, owner, staleMs)) {
      await recover(lockPath);
      continue;
    }
    if (Date.now() > deadline) {
      const who = owner
        ? `process ${owner.pid} on ${owner.host} since ${new Date(owner.since).toISOString()}`
        : 'another process';
      throw new StorageError(
        `The lock ${lockPath} is held by ${who}; if that process is not running, delete the lock file.`,
      );
    }
    // Jittered, growing waits: the holders' sections are short, and jitter keeps waiters from moving in step.
    const wait = Math.min(50, 2 + attempt) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** The lock's owner; undefined while its writer has created but not yet filled it; 'gone' once it was released. */
async function readOwner(lockPath: string): Promise<Owner | undefined | 'gone'> {
  try {
    const text = await readFile(lockPath, 'utf8');
    const owner = JSON.parse(text) as Owner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
}

async function isStale(lockPath: string, owner: Owner | undefined, staleMs: number): Promise<boolean> {
  if (owner && owner.host === hostname() && !processAlive(owner.pid)) return true;
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > staleMs;
}

/** Renaming is atomic: of several processes recovering the same lock, exactly one moves it aside. */
async function recover(lockPath: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(aside, { force: true });
}

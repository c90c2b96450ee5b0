/**
 * Writing a file so that nothing half-written is ever seen: the bytes go to a temp file beside the target, which is
 * renamed over it (atomic on one file system), so a reader sees the old file or the new one. The temp name carries
 * the writer's process and thread ids plus 48 random bits, so two processes (or two worker threads of one) writing
 * the same target never share a temp file: the last rename wins, whole.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** `.tmp-<pid>-<thread>-<12 hex>-<target name>`: listings recognise it, and the pid says whether its writer lives. */
const TEMP_NAME = /^\.tmp-(\d+)-(\d+)-[0-9a-f]{12}-/;
// A long target name must not push the temp name past the file system's 255-byte limit.
const MAX_NAME_PART = 80;

/** A temp path beside `path` that no other writer, in this process or another, will choose. */
export function tempPathFor(path: string): string {
  const unique = `${process.pid}-${threadId}-${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.tmp-${unique}-${basename(path).slice(0, MAX_NAME_PART)}`);
}

/** Whether a file name is one of our temp files (in flight, or left by a writer that was killed). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Writes `data` to `path` atomically, creating its folder. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The same, synchronously, for code that is synchronous already (caches, reports at the end of a run). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * A temp file is stale when the process that wrote it has gone (killed mid-write): a live writer's file may be about
 * to be renamed, so deleting it would make that writer fail.
 */
export function isStaleTemp(name: string): boolean {
  const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  return !processAlive(pid);
}

/**
 * Whether process `pid` exists on this machine: the one liveness test of every writer that leaves its pid behind (a
 * temp file here, a lock file, a running run's metrics.json). Only "no such process" counts as gone; EPERM means it
 * exists under another user, and anything else is taken as alive, so nothing of a live writer is ever cleared.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the stale temp files in `dir` (and its subfolders when `recursive`); returns how many. */
export async function removeStaleTemps(dir: string, options: { recursive?: boolean } = {}): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile() && isStaleTemp(entry.name)) {
      await rm(path, { force: true });
      removed++;
    } else if (entry.isDirectory() && options.recursive) removed += await removeStaleTemps(path, options);
  }
  return removed;
}

/** Removes the stale temp files directly in `dir`, synchronously; returns how many. */
export function removeStaleTempsSync(dir: string): number {
  let removed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && isStaleTemp(entry.name)) {
      rmSync(join(dir, entry.name), { force: true });
      removed++;
    }
  }
  return removed;
}

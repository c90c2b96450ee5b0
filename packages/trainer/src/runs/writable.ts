/**
 * Before a run trains for minutes: can it write where it will write (the output folder, the registry, the upload
 * folder)? A location under a regular file, or under a kernel file system (/proc, /sys, where Node's recursive mkdir
 * never returns), fails here at once with one sentence naming it. Bucket URLs are checked by the store when written.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { UserError } from '../errors.js';
import { fromRepo } from '../paths.js';

const KERNEL_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

/**
 * Throws a UserError naming `url` and its `role` unless a file can be created there (relative to the repository
 * root); gs:// URLs pass.
 */
export function checkWritable(url: string, role: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) return;
  const path = fromRepo(url.replace(/^file:\/\//, ''));
  const fail = (why: string): never => {
    throw new UserError(`Cannot write the ${role} at ${url}: ${why}; choose another location.`);
  };
  if (KERNEL_FILE_SYSTEMS.some((root) => path === root || path.startsWith(`${root}${sep}`))) {
    fail(`${path.split(sep).slice(0, 2).join(sep)} is a kernel file system, not storage`);
  }
  // Create the missing folders one level at a time from the deepest existing one, so that nothing can loop.
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    const info = statOrMissing(existing);
    if (info) {
      if (!info.isDirectory()) fail(`${existing} is a file, not a folder`);
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing);
    existing = parent;
  }
  try {
    for (const dir of missing) mkdirSync(dir);
    const probe = `${path}${sep}.tmp-write-check-${randomBytes(4).toString('hex')}`;
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    fail((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** A path's stat, or undefined when it does not exist or runs through a file (ENOTDIR): look at its parent. */
function statOrMissing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

import { basename } from 'node:path';
import { ListingCache } from './cache.js';
import type { SyncContext } from './context.js';
import { type DvcFile, type DvcOut, isDirectoryOut, isLegacyOut, outPath } from './dvcfile.js';
import { DataSyncError } from './errors.js';
import { type DirEntry, parseManifest } from './manifest.js';
import type { DvcRemote } from './remote.js';

/** A tracked file: where it goes in the workspace and the object that holds its bytes. */
export interface TrackedFile extends DirEntry {
  readonly path: string;
}

/**
 * The files an out tracks: for a directory, its `.dir` listing from `.dvc/cache` or else the remote (verified against
 * its id, then cached); for a file, itself.
 */
export async function trackedFiles(
  context: SyncContext,
  dvc: DvcFile,
  out: DvcOut,
  remote?: DvcRemote,
): Promise<TrackedFile[] | undefined> {
  const target = outPath(dvc, out);
  if (!isDirectoryOut(out)) return [{ md5: out.md5, relpath: basename(target), path: target }];
  const legacy = isLegacyOut(out);
  const cache = new ListingCache(context.repoRoot);
  let bytes = await cache.read(out.md5, legacy);
  if (!bytes && remote) {
    bytes = await remote.read(out.md5, legacy);
    if (!bytes) {
      throw new DataSyncError(
        `Remote "${remote.name}" (${remote.url}) holds no listing ${out.md5} for ${out.path}: push it from a machine that has the data (\`pnpm data push\`).`,
      );
    }
    parseManifest(bytes, out.md5);
    await cache.write(out.md5, bytes, legacy);
  }
  if (!bytes) return undefined;
  return parseManifest(bytes, out.md5).map((entry) => ({
    ...entry,
    path: [target, ...entry.relpath.split('/')].join('/'),
  }));
}

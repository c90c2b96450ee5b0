import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { ListingCache } from './cache.js';
import type { SyncContext } from './context.js';
import { type DvcFile, type DvcOut, outPath, readDvcFile, writeDvcFile } from './dvcfile.js';
import { DataSyncError } from './errors.js';
import { hashDirectory, md5File } from './files.js';
import { dirOid, serializeManifest } from './manifest.js';

export interface AddResult {
  readonly path: string;
  readonly md5: string;
  readonly size: number;
  readonly nfiles?: number;
}

/**
 * `dvc add` for what the `.dvc` file tracks (or a new path): hashes it, keeps the directory listing in
 * `.dvc/cache` and records md5, size and file count in the `.dvc` file.
 */
export async function addOuts(context: SyncContext, newPath?: string): Promise<AddResult[]> {
  const dvc: DvcFile = newPath
    ? {
        file: context.dvcFile,
        outs: [{ md5: '0'.repeat(32), path: relative(context.repoRoot, newPath).split('\\').join('/') }],
      }
    : await readDvcFile(context.dvcFile);
  const outs: DvcOut[] = [];
  for (const out of dvc.outs) outs.push(await hashOut(context, dvc, out));
  await writeDvcFile(context.dvcFile, outs);
  return outs.map(({ path, md5, size = 0, nfiles }) => ({
    path,
    md5,
    size,
    ...(nfiles === undefined ? {} : { nfiles }),
  }));
}

async function hashOut(context: SyncContext, dvc: DvcFile, out: DvcOut): Promise<DvcOut> {
  const target = outPath(dvc, out);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new DataSyncError(`${target} does not exist: there is nothing to track.`);
  if (info.isFile()) return { ...out, md5: await md5File(target), size: info.size, hash: 'md5' };
  const hashed = await hashDirectory(target, context.jobs);
  const listing = serializeManifest(hashed.entries);
  const md5 = dirOid(listing);
  await new ListingCache(context.repoRoot).write(md5, listing);
  context.log.info({ path: out.path, md5, files: hashed.entries.length }, 'hashed');
  return { ...out, md5, size: hashed.size, nfiles: hashed.entries.length, hash: 'md5' };
}

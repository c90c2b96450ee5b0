import { readFile } from 'node:fs/promises';
import { ListingCache } from './cache.js';
import { remoteFor, type SyncContext } from './context.js';
import { type DvcOut, isDirectoryOut, isLegacyOut, outPath, readDvcFile } from './dvcfile.js';
import { DataSyncError } from './errors.js';
import { hashDirectory, md5File } from './files.js';
import { dirOid, md5Hex, serializeManifest } from './manifest.js';
import { runPool } from './pool.js';
import { byteProgress } from './progress.js';

export interface PushResult {
  readonly path: string;
  readonly md5: string;
  readonly remote: string;
  readonly objects: number;
  readonly uploaded: number;
  /** Already on the remote (content-addressed: identical bytes are stored once). */
  readonly present: number;
  readonly bytes: number;
}

interface LocalObject {
  readonly md5: string;
  readonly path: string;
}

/** The workspace's objects for an out, refusing to push a workspace that no longer matches the `.dvc` file. */
async function localObjects(context: SyncContext, target: string, out: DvcOut) {
  if (!isDirectoryOut(out)) {
    const md5 = await md5File(target).catch(() => undefined);
    if (md5 !== out.md5) throw changed(context, out);
    return { objects: [{ md5, path: target }], listing: undefined };
  }
  const hashed = await hashDirectory(target, context.jobs).catch(() => undefined);
  const listing = hashed && serializeManifest(hashed.entries);
  if (!listing || dirOid(listing) !== out.md5) throw changed(context, out);
  const byMd5 = new Map<string, LocalObject>();
  for (const entry of hashed.entries)
    byMd5.set(entry.md5, { md5: entry.md5, path: `${target}/${entry.relpath}` });
  return { objects: [...byMd5.values()], listing };
}

function changed(context: SyncContext, out: DvcOut): DataSyncError {
  return new DataSyncError(
    `${out.path} is missing or differs from what ${context.dvcFile} records: run \`pnpm data add\` to record this version, then push.`,
  );
}

/** Uploads every object the remote lacks, the directory listing last, so a listing on a remote means its files are. */
export async function push(context: SyncContext): Promise<PushResult[]> {
  const dvc = await readDvcFile(context.dvcFile);
  const results: PushResult[] = [];
  for (const out of dvc.outs) {
    if (out.push === false) continue;
    const remote = await remoteFor(context, out);
    const legacy = isLegacyOut(out);
    const { objects, listing } = await localObjects(context, outPath(dvc, out), out);
    const onRemote = await remote.oids(legacy);
    const missing = objects.filter((object) => !onRemote.has(object.md5));
    let bytes = 0;
    const progress = byteProgress(`push ${out.path}`, missing.length, context);
    try {
      await runPool(
        missing,
        context.jobs,
        async (object) => {
          const data = await readFile(object.path);
          if (md5Hex(data) !== object.md5)
            throw new DataSyncError(`${object.path} changed during the push: run it again.`);
          await remote.write(object.md5, data, legacy);
          bytes += data.byteLength;
          progress.tick(data.byteLength);
        },
        context.signal,
      );
    } finally {
      progress.stop();
    }
    if (listing) {
      if (!onRemote.has(out.md5)) await remote.write(out.md5, listing, legacy);
      await new ListingCache(context.repoRoot).write(out.md5, listing, legacy);
    }
    results.push({
      path: out.path,
      md5: out.md5,
      remote: remote.url,
      objects: objects.length,
      uploaded: missing.length,
      present: objects.length - missing.length,
      bytes,
    });
  }
  return results;
}

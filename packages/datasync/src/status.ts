import { stat } from 'node:fs/promises';
import { remoteFor, type SyncContext } from './context.js';
import { type DvcFile, type DvcOut, isDirectoryOut, isLegacyOut, outPath, readDvcFile } from './dvcfile.js';
import { DataSyncError } from './errors.js';
import { hashDirectory, md5File } from './files.js';
import { trackedFiles } from './listing.js';
import { type DirEntry, dirOid, serializeManifest } from './manifest.js';

export type WorkspaceState = 'in sync' | 'modified' | 'not pulled';

export interface StatusResult {
  readonly path: string;
  readonly md5: string;
  readonly workspace: WorkspaceState;
  /** Per-file differences, when the recorded listing is known (in `.dvc/cache` or fetched with --cloud). */
  readonly changes?: { added: string[]; modified: string[]; deleted: string[] };
  /** With --cloud: how many of the tracked objects the remote lacks. */
  readonly remote?: { name: string; url: string; missing: number };
}

export async function status(context: SyncContext, cloud = false): Promise<StatusResult[]> {
  const dvc = await readDvcFile(context.dvcFile);
  const results: StatusResult[] = [];
  for (const out of dvc.outs) results.push(await outStatus(context, dvc, out, cloud));
  return results;
}

async function outStatus(
  context: SyncContext,
  dvc: DvcFile,
  out: DvcOut,
  cloud: boolean,
): Promise<StatusResult> {
  const remote = cloud ? await remoteFor(context, out) : undefined;
  // A listing the remote lacks means the remote lacks everything; status reports that rather than failing.
  const tracked = await trackedFiles(context, dvc, out, remote).catch((error: unknown) => {
    if (error instanceof DataSyncError) return undefined;
    throw error;
  });
  const target = outPath(dvc, out);
  const { workspace, changes } = await workspaceState(context, target, out, tracked);
  let remoteState: StatusResult['remote'];
  if (remote && !tracked) {
    remoteState = {
      name: remote.name,
      url: remote.url,
      missing: (out.nfiles ?? 1) + (isDirectoryOut(out) ? 1 : 0),
    };
  } else if (remote && tracked) {
    const onRemote = await remote.oids(isLegacyOut(out));
    const wanted = new Set([...tracked.map((file) => file.md5), ...(isDirectoryOut(out) ? [out.md5] : [])]);
    remoteState = {
      name: remote.name,
      url: remote.url,
      missing: [...wanted].filter((oid) => !onRemote.has(oid)).length,
    };
  }
  return {
    path: out.path,
    md5: out.md5,
    workspace,
    ...(changes ? { changes } : {}),
    ...(remoteState ? { remote: remoteState } : {}),
  };
}

async function workspaceState(
  context: SyncContext,
  target: string,
  out: DvcOut,
  tracked: readonly DirEntry[] | undefined,
): Promise<Pick<StatusResult, 'workspace' | 'changes'>> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return { workspace: 'not pulled' };
  if (!isDirectoryOut(out))
    return { workspace: (await md5File(target)) === out.md5 ? 'in sync' : 'modified' };
  const hashed = await hashDirectory(target, context.jobs);
  if (dirOid(serializeManifest(hashed.entries)) === out.md5) return { workspace: 'in sync' };
  return { workspace: 'modified', ...(tracked ? { changes: diff(tracked, hashed.entries) } : {}) };
}

function diff(recordedEntries: readonly DirEntry[], currentEntries: readonly DirEntry[]) {
  const recorded = new Map(recordedEntries.map((entry) => [entry.relpath, entry.md5]));
  const current = new Map(currentEntries.map((entry) => [entry.relpath, entry.md5]));
  return {
    added: [...current.keys()].filter((path) => !recorded.has(path)).sort(),
    modified: [...current]
      .filter(([path, md5]) => recorded.has(path) && recorded.get(path) !== md5)
      .map(([path]) => path)
      .sort(),
    deleted: [...recorded.keys()].filter((path) => !current.has(path)).sort(),
  };
}

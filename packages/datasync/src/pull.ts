import { removeStaleTemps, writeFileAtomic } from '@mri/atomic-file';
import type { SyncContext } from './context.js';
import { remoteFor } from './context.js';
import { isDirectoryOut, isLegacyOut, outPath, readDvcFile } from './dvcfile.js';
import { isFile, md5File } from './files.js';
import { trackedFiles } from './listing.js';
import { md5Hex } from './manifest.js';
import { runPool } from './pool.js';
import { byteProgress } from './progress.js';

export interface PullResult {
  readonly path: string;
  readonly md5: string;
  readonly remote: string;
  readonly files: number;
  readonly downloaded: number;
  /** Already in the workspace with the right md5 (a resumed pull skips these). */
  readonly present: number;
  readonly bytes: number;
  /** Not on the remote, or whose bytes failed their md5 check: the workspace is incomplete. */
  readonly missing: string[];
  readonly corrupt: string[];
}

/** Restores what the `.dvc` file tracks from the remote, verifying every file's md5 before it is renamed into place. */
export async function pull(context: SyncContext): Promise<PullResult[]> {
  const dvc = await readDvcFile(context.dvcFile);
  const results: PullResult[] = [];
  for (const out of dvc.outs) {
    const remote = await remoteFor(context, out);
    const files = (await trackedFiles(context, dvc, out, remote)) ?? [];
    if (isDirectoryOut(out)) await removeStaleTemps(outPath(dvc, out), { recursive: true });
    const legacy = isLegacyOut(out);
    const result = { downloaded: 0, present: 0, bytes: 0, missing: [] as string[], corrupt: [] as string[] };
    const progress = byteProgress(`pull ${out.path}`, files.length, context);
    try {
      await runPool(
        files,
        context.jobs,
        async (file) => {
          if ((await isFile(file.path)) && (await md5File(file.path)) === file.md5) {
            result.present++;
            progress.tick();
            return;
          }
          const bytes = await remote.read(file.md5, legacy);
          if (!bytes) result.missing.push(file.relpath);
          else if (md5Hex(bytes) !== file.md5) result.corrupt.push(file.relpath);
          else {
            await writeFileAtomic(file.path, bytes);
            result.downloaded++;
            result.bytes += bytes.byteLength;
          }
          progress.tick(bytes?.byteLength);
        },
        context.signal,
      );
    } finally {
      progress.stop();
    }
    results.push({ path: out.path, md5: out.md5, remote: remote.url, files: files.length, ...result });
  }
  return results;
}

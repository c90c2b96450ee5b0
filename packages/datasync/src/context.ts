import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@mri/logging';
import { chooseRemote, readDvcConfig } from './config.js';
import type { DvcOut } from './dvcfile.js';
import { DvcRemote } from './remote.js';

/** What every data command runs with; built once at the CLI's edge, passed down as a plain object. */
export interface SyncContext {
  /** The folder holding `.dvc/` (DVC's repository root). */
  readonly repoRoot: string;
  /** The `.dvc` file to act on, absolute. */
  readonly dvcFile: string;
  /** `--remote NAME`; otherwise the out's own `remote:` or `core.remote`. */
  readonly remote?: string;
  readonly jobs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Draw a progress bar (default: when stderr is a TTY). */
  readonly tty?: boolean;
  /** Another GCS endpoint for every `gs://` remote (tests; `STORAGE_EMULATOR_HOST` works too). */
  readonly gcsEndpoint?: string;
}

/** DVC's rule: the repository is the nearest folder upward that holds `.dvc/`. */
export function findRepoRoot(from: string): string {
  let folder = resolve(from);
  for (;;) {
    if (existsSync(join(folder, '.dvc'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return resolve(from);
    folder = parent;
  }
}

export async function remoteFor(context: SyncContext, out: DvcOut): Promise<DvcRemote> {
  const config = await readDvcConfig(context.repoRoot);
  return DvcRemote.open(chooseRemote(config, context.remote ?? out.remote), context.gcsEndpoint);
}

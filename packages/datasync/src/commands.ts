import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '@mri/logging';
import { StorageError } from '@mri/storage';
import type { Argv, CommandModule } from 'yargs';
import { addOuts } from './add.js';
import { findRepoRoot, type SyncContext } from './context.js';
import { DataSyncError } from './errors.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { status } from './status.js';

/** Every option of the data-sync commands (one shape, so the modules form one array yargs takes at once). */
export interface DataSyncArgs {
  file?: string;
  remote?: string;
  jobs: number;
  cloud?: boolean;
  path?: string;
}

function withCommon<T>(yargs: Argv<T>): Argv<DataSyncArgs> {
  return yargs
    .option('file', {
      type: 'string',
      describe: 'the .dvc file (default: data.dvc at the DVC repository root)',
    })
    .option('remote', { type: 'string', describe: 'a remote named in .dvc/config or .dvc/config.local' })
    .option('jobs', {
      type: 'number',
      default: Math.max(4, cpus().length * 4),
      describe: 'parallel transfers',
    });
}

/**
 * Runs one data command: Ctrl-C stops scheduling (files in flight finish atomically) and the result is JSON on the
 * last stdout line. Errors a user can cause (`DataSyncError`, `StorageError`) propagate for the hosting CLI to print
 * as one sentence; see `isUserError`.
 */
async function run(args: DataSyncArgs, action: (context: SyncContext) => Promise<unknown>): Promise<void> {
  const log = createLogger({ name: 'data' });
  const controller = new AbortController();
  const onInterrupt = () => {
    log.warn('interrupted: finishing the files in flight; run the same command again to resume');
    controller.abort(
      new DataSyncError('Interrupted: run the same command again to resume where it stopped.'),
    );
  };
  process.once('SIGINT', onInterrupt);
  const repoRoot = findRepoRoot(process.cwd());
  const context: SyncContext = {
    repoRoot,
    dvcFile: args.file ? resolve(args.file) : resolve(repoRoot, 'data.dvc'),
    jobs: Math.max(1, Math.floor(args.jobs)),
    log,
    signal: controller.signal,
    ...(args.remote ? { remote: args.remote } : {}),
  };
  try {
    const result = await action(context);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** True for the errors these commands raise for a mistake the user can fix: print the message alone, exit 1. */
export function isUserError(error: unknown): error is Error {
  return error instanceof DataSyncError || error instanceof StorageError;
}

export const statusCommand: CommandModule<object, DataSyncArgs> = {
  command: 'status',
  describe: 'Compare the workspace (and with --cloud, the remote) with what data.dvc records',
  builder: (yargs) =>
    withCommon(yargs).option('cloud', {
      alias: 'c',
      type: 'boolean',
      default: false,
      describe: 'also check the remote',
    }),
  handler: (args) => run(args, (context) => status(context, args.cloud ?? false)),
};

export const pushCommand: CommandModule<object, DataSyncArgs> = {
  command: 'push',
  describe: 'Upload the tracked data to a DVC remote (only the objects it lacks)',
  builder: withCommon,
  handler: (args) => run(args, (context) => push(context)),
};

export const pullCommand: CommandModule<object, DataSyncArgs> = {
  command: 'pull',
  describe: 'Restore the tracked data from a DVC remote, verifying every md5; resumes where it stopped',
  builder: withCommon,
  handler: (args) =>
    run(args, async (context) => {
      const results = await pull(context);
      const incomplete = results.find((result) => result.missing.length + result.corrupt.length > 0);
      if (incomplete) {
        process.stdout.write(`${JSON.stringify(results)}\n`);
        const first = incomplete.missing[0] ?? incomplete.corrupt[0];
        throw new DataSyncError(
          `${incomplete.missing.length} file(s) of ${incomplete.path} are missing from ${incomplete.remote} and ${incomplete.corrupt.length} failed their md5 check (first: ${first}): push them again from a complete copy.`,
        );
      }
      return results;
    }),
};

export const addCommand: CommandModule<object, DataSyncArgs> = {
  command: 'add [path]',
  describe:
    'Record the current version of the tracked folder (or start tracking PATH) in data.dvc, as `dvc add` does',
  builder: (yargs) =>
    withCommon(yargs).positional('path', { type: 'string', describe: 'a folder or file to track' }),
  handler: (args) => run(args, (context) => addOuts(context, args.path ? resolve(args.path) : undefined)),
};

/** Register with `yargs.command(dataSyncCommands)`. */
export const dataSyncCommands: CommandModule<object, DataSyncArgs>[] = [
  statusCommand,
  pushCommand,
  pullCommand,
  addCommand,
];

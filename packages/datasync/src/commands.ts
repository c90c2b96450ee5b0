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
import { addRemote, listRemotes } from './remote-config.js';
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
 * Runs one data command (exported for the other `pnpm data` commands that record and push data): Ctrl-C stops scheduling (files in flight finish atomically) and the result is JSON on the
 * last stdout line. Errors a user can cause (`DataSyncError`, `StorageError`) propagate for the hosting CLI to print
 * as one sentence; see `isUserError`.
 */
export async function run(
  args: DataSyncArgs,
  action: (context: SyncContext) => Promise<unknown>,
): Promise<void> {
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

interface RemoteArgs {
  action?: string;
  name?: string;
  url?: string;
  default: boolean;
  local: boolean;
  force: boolean;
}

/** `remote add NAME URL [--default] [--local] [--force]` and `remote list`, as `dvc remote` does them. */
export const remoteCommand: CommandModule<object, RemoteArgs> = {
  command: 'remote <action> [name] [url]',
  describe:
    'Add a DVC remote (`remote add NAME gs://BUCKET/PATH|FOLDER [--default]`) or list them (`remote list`)',
  builder: (yargs) =>
    yargs
      .positional('action', { choices: ['add', 'list'] as const, describe: 'add or list' })
      .positional('name', { type: 'string', describe: 'the remote name' })
      .positional('url', { type: 'string', describe: 'gs://BUCKET/PATH or a folder' })
      .option('default', {
        alias: 'd',
        type: 'boolean',
        default: false,
        describe: 'make it the default remote',
      })
      .option('local', {
        type: 'boolean',
        default: false,
        describe: 'write .dvc/config.local (git-ignored, yours only) instead of .dvc/config',
      })
      .option('force', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'change an existing remote',
      }),
  handler: async (args) => {
    const repoRoot = findRepoRoot(process.cwd());
    if (args.action === 'list') {
      const remotes = await listRemotes(repoRoot);
      for (const r of remotes) console.log(`${r.name}\t${r.url}${r.default ? '\t(default)' : ''}`);
      console.log(JSON.stringify(remotes));
      return;
    }
    if (!args.name || !args.url) {
      throw new DataSyncError(
        'Name the remote and its URL: pnpm data remote add NAME gs://BUCKET/PATH [--default].',
      );
    }
    const change = await addRemote({
      repoRoot,
      name: args.name,
      url: args.url,
      cwd: process.cwd(),
      makeDefault: args.default,
      local: args.local,
      replace: args.force,
    });
    console.log(
      `remote ${change.name} = ${change.url} in ${change.file}${change.default ? ' (the default remote)' : ''}`,
    );
    console.log(JSON.stringify(change));
  },
};

/** Register with `yargs.command(dataSyncCommands)` (and `remoteCommand`, whose arguments differ). */
export const dataSyncCommands: CommandModule<object, DataSyncArgs>[] = [
  statusCommand,
  pushCommand,
  pullCommand,
  addCommand,
];

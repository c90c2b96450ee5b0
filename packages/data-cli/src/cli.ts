import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DatasetError, ImageError } from '@mri/data';
import { isUserError } from '@mri/datasync';
import type { CommandModule } from 'yargs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { dataCommands } from './commands/index.js';

/**
 * The `data` CLI: a list of command modules. Errors a user can cause end in one sentence on stderr and exit code 1;
 * anything else is a bug and keeps its stack.
 */
export async function runCli(
  argv: readonly string[],
  // biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
  commands: readonly CommandModule<object, any>[] = dataCommands,
): Promise<number> {
  const cli = yargs([...argv])
    .scriptName('data')
    .command(commands as CommandModule<object, object>[])
    .demandCommand(1, 'Name a command: data <command> (see --help).')
    .strict()
    .fail((message, error, y) => {
      if (error) throw error;
      console.error(`${message}\n\n${y.help()}`);
      throw new UsageError(message);
    })
    .help();
  try {
    await cli.parseAsync();
    return 0;
  } catch (error) {
    if (error instanceof DatasetError || error instanceof ImageError || isUserError(error)) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof UsageError) return 1;
    throw error;
  }
}

class UsageError extends Error {}

// Run when executed (tsx packages/data-cli/src/cli.ts ...), not when imported; robust to symlinks and spaces in paths.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await runCli(hideBin(process.argv));
}

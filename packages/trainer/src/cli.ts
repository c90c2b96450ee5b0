/**
 * The trainer's command line: `pnpm train | evaluate | predict | visualize | sweep | runs | registry | export`, one module per command
 * under commands/. Each command's result is JSON on the last line of stdout (train prints its run folder after it);
 * logs go to stderr; an error the user can fix is one sentence, never a stack trace.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { trainerCommands } from './commands/index.js';
import { isUserError } from './errors.js';

// Errors thrown by the packages we build on whose message is written for the user.
const USER_ERROR_NAMES = new Set([
  'DatasetError',
  'ImageError',
  'ArtifactError',
  'BackendUnavailableError',
  'RegistryError',
  'StorageError',
]);

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('pnpm')
    .usage('$0 <command> [overrides..] [options]')
    .command(trainerCommands)
    .demandCommand(1, 'Name a command: train, evaluate, predict, visualize, sweep, runs, registry or export.')
    .strict()
    .version(false)
    .help()
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`${message}\nRun with --help for usage.\n`);
      process.exit(1);
    })
    .parseAsync();
}

main().catch((error: unknown) => {
  if (isUserError(error) || (error instanceof Error && USER_ERROR_NAMES.has(error.name))) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});

#!/usr/bin/env node
// Standalone entry for the data-sync commands; the project's `pnpm data` CLI registers the same modules.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { dataSyncCommands, isUserError, remoteCommand } from './commands.js';

try {
  await yargs(hideBin(process.argv))
    .scriptName('datasync')
    .command(dataSyncCommands)
    .command(remoteCommand)
    .demandCommand(1)
    .strict()
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .help()
    .parseAsync();
} catch (error) {
  if (!isUserError(error)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

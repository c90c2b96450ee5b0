#!/usr/bin/env node
// Standalone entry for the data-sync commands; the project's `pnpm data` CLI registers the same modules.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { dataSyncCommands } from './commands.js';

await yargs(hideBin(process.argv))
  .scriptName('datasync')
  .command(dataSyncCommands)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();

import { dataSyncCommands, remoteCommand } from '@mri/datasync';
import type { CommandModule } from 'yargs';
import { importCommand } from './import.js';
import { processCommand } from './process.js';

/**
 * The `data` CLI's commands: `process` (the data package's cache), `import` (the public archive to data/brain-mri),
 * and datasync's status, push, pull, add and remote.
 */
// biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
export const dataCommands: CommandModule<object, any>[] = [
  processCommand,
  importCommand,
  ...dataSyncCommands,
  remoteCommand,
];

import { dataSyncCommands } from '@mri/datasync';
import type { CommandModule } from 'yargs';
import { processCommand } from './process.js';

/** The data package's commands. Other packages append theirs (status, push, pull) to build the `data` CLI. */
// biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
export const dataCommands: CommandModule<object, any>[] = [processCommand, ...dataSyncCommands];

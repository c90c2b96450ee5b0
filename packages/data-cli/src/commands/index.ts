import { dataSyncCommands } from '@mri/datasync';
import type { CommandModule } from 'yargs';
import { processCommand } from './process.js';

/** The `data` CLI's commands: `process` (the data package's cache) and datasync's status, add, push, pull. */
// biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
export const dataCommands: CommandModule<object, any>[] = [processCommand, ...dataSyncCommands];

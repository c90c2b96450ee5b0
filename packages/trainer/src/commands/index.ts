/**
 * The trainer's commands, one module each. A new command is a new file here and one line in this list; the CLI
 * (../cli.ts) registers the list as it is.
 */
import type { CommandModule } from 'yargs';
import { evaluateCommand } from './evaluate.js';
import { predictCommand } from './predict.js';
import { registryCommand } from './registry.js';
import { runsCommand } from './runs.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { visualizeCommand } from './visualize.js';

// biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
export const trainerCommands: CommandModule<object, any>[] = [
  trainCommand,
  evaluateCommand,
  predictCommand,
  visualizeCommand,
  sweepCommand,
  runsCommand,
  registryCommand,
];

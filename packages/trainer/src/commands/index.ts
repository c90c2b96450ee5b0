/**
 * The trainer's commands, one module each. A new command is a new file here and one line in this list; the CLI
 * (../cli.ts) registers the list as it is. `pnpm predict` and `pnpm ship-model` are programs of their own
 * (predict.ts, ship-model.ts): they run as Cloud Run Job tasks and parse their own arguments.
 */
import type { CommandModule } from 'yargs';
import { evaluateCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { registryCommand } from './registry.js';
import { runsCommand } from './runs.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { visualizeCommand } from './visualize.js';

// biome-ignore lint/suspicious/noExplicitAny: command modules have differing argument types
export const trainerCommands: CommandModule<object, any>[] = [
  trainCommand,
  evaluateCommand,
  visualizeCommand,
  sweepCommand,
  runsCommand,
  registryCommand,
  exportCommand,
];

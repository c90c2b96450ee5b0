/** What the trainer's commands share: config options, the split/model options, printing a result, Ctrl-C. */
import { join } from 'node:path';
import { createRunDir } from '@mri/run-records';
import type { Argv } from 'yargs';
import { type ComposedConfig, composeConfig } from '../config/index.js';
import { SPLIT_NAMES, type SplitName } from '../evaluation/splits.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';

export interface ConfigArgs {
  overrides?: (string | number)[];
  'config-dir': string;
}

export interface SplitArgs extends ConfigArgs {
  model: string;
  split: SplitName;
  out?: string;
}

/** The result of a command: one JSON line, the last on stdout; at a terminal, the table given instead. */
export { printResult } from '@mri/logging';

export function composeFrom(args: ConfigArgs): ComposedConfig {
  return composeConfig({
    configDir: fromRepo(args['config-dir']),
    overrides: (args.overrides ?? []).map(String),
  });
}

export function withConfig<T>(y: Argv<T>): Argv<T & ConfigArgs> {
  return y
    .positional('overrides', {
      type: 'string',
      array: true,
      describe: 'config overrides: group=option, key=value, +key=value',
    })
    .option('config-dir', {
      type: 'string',
      default: CONFIG_DIR,
      describe: 'folder holding config.yaml and the groups',
    }) as Argv<T & ConfigArgs>;
}

export function withSplit<T>(y: Argv<T>): Argv<T & SplitArgs> {
  return withConfig(y)
    .positional('model', {
      type: 'string',
      demandOption: true,
      describe: 'a model folder, a registry version (v3) or an alias (production)',
    })
    .option('split', {
      choices: SPLIT_NAMES,
      default: 'validation' as SplitName,
      describe: 'which split of data.root',
    })
    .option('out', {
      type: 'string',
      describe: 'output folder (default: a new dated folder under output_dir)',
    }) as Argv<T & SplitArgs>;
}

/** `--out`, or a new dated folder under `output_dir/<kind>`. */
export function outputFolder(out: string | undefined, outputDir: string, kind: string): string {
  return out ? fromRepo(out) : createRunDir(join(fromRepo(outputDir), kind));
}

let stopRequests = 0;

/** Polled by long loops between steps: true once Ctrl-C was pressed. */
export const stopRequested = (): boolean => stopRequests > 0;

/** The first Ctrl-C asks the loop to stop after its current step; the second quits at once. */
export function stopOnInterrupt(): void {
  process.on('SIGINT', () => {
    stopRequests++;
    if (stopRequests > 1) process.exit(130);
    process.stderr.write('\nStopping after the current step (Ctrl-C again to quit at once)...\n');
  });
}

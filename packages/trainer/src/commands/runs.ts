/** `pnpm runs [overrides..]`: the runs under output_dir, their key metrics and differing config keys. */
import { findRunFolders } from '@mri/run-records';
import type { CommandModule } from 'yargs';
import { fromRepo } from '../paths.js';
import { differingKeys, readRun, runsTable } from '../runs/list.js';
import { type ConfigArgs, composeFrom, printResult, withConfig } from './shared.js';

interface RunsArgs extends ConfigArgs {
  limit: number;
  columns?: string;
}

export const runsCommand: CommandModule<object, RunsArgs> = {
  command: 'runs [overrides..]',
  describe: 'list runs with key metrics and differing config keys side by side',
  builder: (y) =>
    withConfig(y)
      .option('limit', { type: 'number', default: 30, describe: 'the most recent N runs' })
      .option('columns', {
        type: 'string',
        describe: 'config keys to show, comma-separated (default: those that differ)',
      }),
  handler: (args) => {
    const { config } = composeFrom(args);
    const outputDir = fromRepo(config.output_dir);
    const rows = findRunFolders(outputDir)
      .map((dir) => readRun(dir, outputDir))
      .filter((r) => r !== undefined)
      .slice(-args.limit);
    const keys = args.columns ? args.columns.split(',').map((k) => k.trim()) : differingKeys(rows);
    if (rows.length === 0) process.stderr.write(`No runs under ${outputDir} yet: pnpm train writes one.\n`);
    else process.stdout.write(`${runsTable(rows, keys)}\n`);
    printResult(rows);
  },
};

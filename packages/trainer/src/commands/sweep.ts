/** `pnpm sweep [overrides..]`: one run per point of a sweep file, ranked on a leaderboard. */
import { join } from 'node:path';
import { createLogger } from '@mri/logging';
import type { CommandModule } from 'yargs';
import { CONFIG_DIR, fromRepo } from '../paths.js';
import { type ConfigArgs, printResult, stopOnInterrupt, stopRequested, withConfig } from './shared.js';
import { leaderboardTable } from './tables.js';

interface SweepArgs extends ConfigArgs {
  file: string;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep [overrides..]',
  describe: 'train one run per point of a sweep file and rank them',
  builder: (y) =>
    withConfig(y).option('file', {
      type: 'string',
      default: join(CONFIG_DIR, 'sweep.yaml'),
      describe: 'the sweep file',
    }),
  handler: async (args) => {
    const { readSweepSpec } = await import('../sweep/spec.js');
    const { runSweep } = await import('../sweep/sweep.js');
    const { train } = await import('../train/run.js');
    stopOnInterrupt();
    const spec = readSweepSpec(fromRepo(args.file));
    const result = await runSweep({
      spec,
      configDir: fromRepo(args['config-dir']),
      overrides: (args.overrides ?? []).map(String),
      train: (composed, options) => train(composed, { ...options, progress: true }),
      log: createLogger(),
      stopRequested,
    });
    printResult(result, {
      title: `Sweep leaderboard (${result.sweep_dir})`,
      table: leaderboardTable(result.leaderboard, spec.metric),
    });
  },
};

/** `pnpm train [overrides..]`: one training run; prints its JSON summary, then the run folder. */
import type { CommandModule } from 'yargs';
import {
  type ConfigArgs,
  composeFrom,
  printResult,
  stopOnInterrupt,
  stopRequested,
  withConfig,
} from './shared.js';

interface TrainArgs extends ConfigArgs {
  profile: boolean;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train [overrides..]',
  describe: 'train a model on the composed config; prints the run folder last',
  builder: (y) =>
    withConfig(y).option('profile', {
      type: 'boolean',
      default: false,
      describe: 'write a kernel time table and a .cpuprofile',
    }),
  handler: async (args) => {
    const composed = composeFrom(args);
    const { train } = await import('../train/run.js');
    stopOnInterrupt();
    const summary = await train(composed, { profile: args.profile, stopRequested });
    printResult(summary);
    process.stdout.write(`${summary.run_dir}\n`);
    if (summary.status === 'interrupted') process.exitCode = 130;
  },
};

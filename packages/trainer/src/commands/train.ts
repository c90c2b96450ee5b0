/**
 * `pnpm train [overrides..]`: one training run; prints its JSON summary, then the run folder. `--resume <run dir>`
 * continues an unfinished run from its last checkpoint, with the config it recorded.
 */
import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import { fromRepo } from '../paths.js';
import { composedFromRun } from '../runs/resume.js';
import {
  type ConfigArgs,
  composeFrom,
  printResult,
  stopOnInterrupt,
  stopRequested,
  withConfig,
} from './shared.js';
import { trainTable } from './tables.js';

interface TrainArgs extends ConfigArgs {
  profile: boolean;
  resume?: string;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train [overrides..]',
  describe: 'train a model on the composed config; prints the run folder last',
  builder: (y) =>
    withConfig(y)
      .option('profile', {
        type: 'boolean',
        default: false,
        describe: 'write a kernel time table and a .cpuprofile',
      })
      .option('resume', {
        type: 'string',
        describe: 'continue this unfinished run folder from its last checkpoint, with its own config',
      }),
  handler: async (args) => {
    if (args.resume !== undefined && (args.overrides ?? []).length > 0) {
      throw new UserError(
        `--resume continues ${args.resume} with the config it recorded; drop the overrides (${(args.overrides ?? []).join(' ')}) or start a new run.`,
      );
    }
    const resume = args.resume === undefined ? undefined : fromRepo(args.resume);
    const composed = resume ? composedFromRun(resume) : composeFrom(args);
    const { train } = await import('../train/run.js');
    stopOnInterrupt();
    const summary = await train(composed, {
      profile: args.profile,
      stopRequested,
      ...(resume ? { resume } : {}),
    });
    printResult(summary, { title: `Run ${summary.status.replace('_', ' ')}`, table: trainTable(summary) });
    process.stdout.write(`${summary.run_dir}\n`);
    if (summary.status === 'interrupted') process.exitCode = 130;
  },
};

/**
 * `pnpm sweep [overrides..]`: one run per point of a sweep file, ranked on a leaderboard. Its cloud modes hand the
 * same trials to a managed engine instead of a loop here: `--on cloud-run-jobs|vertex` (submit), `--task` (one
 * trial, inside the job) and `--collect <bucket>` (the leaderboard of the finished trials).
 */
import { join } from 'node:path';
import { createLogger } from '@mri/logging';
import { createRunDir, SWEEPS_DIR } from '@mri/run-records';
import type { Argv, CommandModule } from 'yargs';
import { composeConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';
import type { SweepOptions, TrainFn } from '../sweep/sweep.js';
import { CLOUD_TARGETS, type CloudTarget } from '../sweep/targets.js';
import { type ConfigArgs, printResult, stopOnInterrupt, stopRequested, withConfig } from './shared.js';
import { leaderboardTable } from './tables.js';

export interface CloudSweepArgs {
  on?: CloudTarget;
  to?: string;
  image?: string;
  region: string;
  job: string;
  parallelism?: number;
  'service-account'?: string;
  submit: boolean;
  task: boolean;
  'task-index'?: number;
  collect?: string;
}

interface SweepArgs extends ConfigArgs, CloudSweepArgs {
  file: string;
}

export function withCloudSweepOptions<T>(y: Argv<T>) {
  return y
    .option('on', { choices: CLOUD_TARGETS, describe: 'submit the trials to Cloud Run Jobs or Vertex AI' })
    .option('to', {
      type: 'string',
      describe: 'with --on: the bucket folder the trials write to (gs://bucket/sweeps/NAME)',
    })
    .option('image', {
      type: 'string',
      describe: 'with --on: the trainer image (REGION-docker.pkg.dev/PROJECT/REPO/trainer:TAG)',
    })
    .option('region', { type: 'string', default: 'europe-west1', describe: 'with --on: the region' })
    .option('job', { type: 'string', default: 'mri-sweep', describe: 'with --on: the job name' })
    .option('parallelism', {
      type: 'number',
      describe: 'with --on cloud-run-jobs: trials at once (default: all)',
    })
    .option('service-account', {
      type: 'string',
      describe: 'with --on: the service account the trials run as',
    })
    .option('submit', { type: 'boolean', default: false, describe: 'with --on: run the gcloud commands too' })
    .option('task', {
      type: 'boolean',
      default: false,
      describe: 'run one trial of a submitted sweep (inside its job)',
    })
    .option('task-index', {
      type: 'number',
      describe: 'with --task: the trial (default: CLOUD_RUN_TASK_INDEX)',
    })
    .option('collect', { type: 'string', describe: 'rank the finished trials under this bucket folder' });
}

/** What a plain sweep is given, less its spec (read from `file` when needed), plus the environment. */
export interface CloudSweepContext extends Omit<SweepOptions, 'spec'> {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The result to print, or undefined when no cloud mode was asked for (the plain sweep runs). */
export async function runCloudSweep(args: CloudSweepArgs, context: CloudSweepContext): Promise<unknown> {
  const modes = [args.on !== undefined, args.task, args.collect !== undefined].filter(Boolean).length;
  if (modes === 0) return undefined;
  if (modes > 1) throw new UserError('Choose one of --on, --task and --collect.');
  if (args.collect !== undefined) {
    const { collectSweep } = await import('../sweep/collect.js');
    return collectSweep(args.collect);
  }
  const { planFromEnv, sweepPlan, taskIndex } = await import('../sweep/plan.js');
  if (args.task) {
    const { runTrialTask } = await import('../sweep/task.js');
    const plan = planFromEnv(context.env);
    const index = taskIndex(plan, args['task-index'], context.env);
    return runTrialTask({
      plan,
      index,
      configDir: context.configDir,
      train: context.train,
      log: context.log,
      stopRequested: context.stopRequested,
    });
  }
  const on = args.on as CloudTarget;
  if (!args.to?.startsWith('gs://'))
    throw new UserError(
      `--on ${on} needs --to gs://BUCKET/sweeps/NAME: the trials run elsewhere and write their runs there.`,
    );
  if (args.image === undefined)
    throw new UserError(
      `--on ${on} needs --image, the trainer image in Artifact Registry (built by cloudbuild.yaml).`,
    );
  const { readSweepSpec } = await import('../sweep/spec.js');
  const { runGcloud, writeSubmission } = await import('../sweep/submit.js');
  const spec = readSweepSpec(context.file);
  const plan = sweepPlan(spec, context.overrides, args.to);
  // Every trial's config is composed now, so a typo fails here rather than in N cloud tasks.
  for (const trial of plan.trials) composeConfig({ configDir: context.configDir, overrides: trial });
  const outputDir = fromRepo(
    composeConfig({ configDir: context.configDir, overrides: context.overrides }).config.output_dir,
  );
  const submission = writeSubmission(
    {
      on,
      plan,
      image: args.image,
      region: args.region,
      job: args.job,
      ...(args.parallelism === undefined ? {} : { parallelism: args.parallelism }),
      ...(args['service-account'] === undefined ? {} : { serviceAccount: args['service-account'] }),
    },
    createRunDir(join(outputDir, SWEEPS_DIR, 'submitted')),
  );
  if (args.submit) runGcloud(submission.commands);
  else
    process.stderr.write(
      `Job spec written; submit with:\n${submission.commands.map((c) => `  ${c.join(' ')}`).join('\n')}\nthen, when the tasks are done: pnpm sweep --collect ${plan.to}\n`,
    );
  return { ...submission, submitted: args.submit };
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep [overrides..]',
  describe: 'train one run per point of a sweep file and rank them',
  builder: (y) =>
    withCloudSweepOptions(
      withConfig(y).option('file', {
        type: 'string',
        default: join(CONFIG_DIR, 'sweep.yaml'),
        describe: 'the sweep file',
      }),
    ) as unknown as Argv<SweepArgs>,
  handler: async (args) => {
    const { readSweepSpec } = await import('../sweep/spec.js');
    const { runSweep } = await import('../sweep/sweep.js');
    const { train } = await import('../train/run.js');
    stopOnInterrupt();
    const configDir = fromRepo(args['config-dir']);
    const overrides = (args.overrides ?? []).map(String);
    const trainWithProgress: TrainFn = (composed, options) => train(composed, { ...options, progress: true });
    const log = createLogger();
    const cloud = await runCloudSweep(args, {
      file: fromRepo(args.file),
      configDir,
      overrides,
      train: trainWithProgress,
      log,
      stopRequested,
      env: process.env,
    });
    if (cloud !== undefined) return printResult(cloud);
    const spec = readSweepSpec(fromRepo(args.file));
    const result = await runSweep({
      spec,
      configDir,
      overrides,
      train: trainWithProgress,
      log,
      stopRequested,
    });
    printResult(result, {
      title: `Sweep leaderboard (${result.sweep_dir})`,
      table: leaderboardTable(result.leaderboard, spec.metric),
    });
  },
};

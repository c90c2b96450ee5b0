/**
 * `pnpm sweep --on cloud-run-jobs|vertex`: the sweep as jobs of a managed engine instead of a loop here. Cloud Run
 * Jobs: one job whose task i runs trial i (CLOUD_RUN_TASK_INDEX). Vertex AI: one custom job per trial. Either way
 * each task trains in the trainer image and writes its run to the bucket; `pnpm sweep --collect` ranks them.
 * This writes the job specs and prints the gcloud commands; it runs them only with `--submit`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import { stringify } from 'yaml';
import { UserError } from '../errors.js';
import { PLAN_ENV, type SweepPlan } from './plan.js';
import type { CloudTarget } from './targets.js';
import { trialName } from './trials.js';

export interface SubmitOptions {
  readonly on: CloudTarget;
  readonly plan: SweepPlan;
  /** The trainer image, e.g. europe-west1-docker.pkg.dev/PROJECT/mri/trainer:TAG. */
  readonly image: string;
  readonly region: string;
  /** Cloud Run job name, or the Vertex AI display-name prefix. */
  readonly job: string;
  /** Trials running at once (Cloud Run Jobs' parallelism); all of them by default. */
  readonly parallelism?: number;
  readonly serviceAccount?: string;
}

/** The task's command line in the image: the plan comes from the environment, the index from the engine. */
function taskArgs(index?: number): string[] {
  return ['sweep', '--task', ...(index === undefined ? [] : ['--task-index', String(index)])];
}

/** A Cloud Run Job (the run.googleapis.com/v1 `Job` that `gcloud run jobs replace` takes): one task per trial. */
export function cloudRunJob(options: SubmitOptions): Record<string, unknown> {
  const count = options.plan.trials.length;
  return {
    apiVersion: 'run.googleapis.com/v1',
    kind: 'Job',
    metadata: {
      name: options.job,
      labels: { 'cloud.googleapis.com/location': options.region },
    },
    spec: {
      template: {
        spec: {
          taskCount: count,
          parallelism: Math.min(options.parallelism ?? count, count),
          template: {
            spec: {
              // A trial that fails is retried once on a fresh instance; its trial.json is written only at the end.
              maxRetries: 1,
              timeoutSeconds: 3600,
              ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
              containers: [
                {
                  image: options.image,
                  command: ['pnpm'],
                  args: taskArgs(),
                  env: [{ name: PLAN_ENV, value: JSON.stringify(options.plan) }],
                  resources: { limits: { cpu: '4', memory: '4Gi' } },
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** Vertex AI CustomJobSpecs (what `gcloud ai custom-jobs create --config` takes): one per trial. */
export function vertexJobs(options: SubmitOptions): Record<string, unknown>[] {
  return options.plan.trials.map((_, index) => ({
    workerPoolSpecs: [
      {
        replicaCount: 1,
        machineSpec: { machineType: 'n2-standard-4' },
        containerSpec: {
          imageUri: options.image,
          command: ['pnpm'],
          args: taskArgs(index),
          env: [
            { name: PLAN_ENV, value: JSON.stringify(options.plan) },
            // Cloud Run says so itself (CLOUD_RUN_JOB); on Vertex AI the logs are told to speak Cloud Logging.
            { name: 'LOG_FORMAT', value: 'gcp' },
          ],
        },
      },
    ],
    scheduling: { timeout: '3600s' },
    ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
  }));
}

export interface Submission {
  readonly on: CloudTarget;
  readonly to: string;
  readonly trials: number;
  readonly files: string[];
  readonly commands: string[][];
}

/** Writes the job spec(s) into `dir` and returns the gcloud commands that submit them. */
export function writeSubmission(options: SubmitOptions, dir: string): Submission {
  mkdirSync(dir, { recursive: true });
  const header = `# ${options.on} job spec written by \`pnpm sweep --on ${options.on}\`: ${options.plan.trials.length} trials to ${options.plan.to}\n`;
  const files: string[] = [];
  const commands: string[][] = [];
  if (options.on === 'cloud-run-jobs') {
    const file = join(dir, `${options.job}.yaml`);
    writeFileAtomicSync(file, header + stringify(cloudRunJob(options)));
    files.push(file);
    commands.push(['gcloud', 'run', 'jobs', 'replace', file, `--region=${options.region}`]);
    commands.push(['gcloud', 'run', 'jobs', 'execute', options.job, `--region=${options.region}`]);
  } else {
    for (const [index, spec] of vertexJobs(options).entries()) {
      const file = join(dir, `${trialName(index)}.yaml`);
      writeFileAtomicSync(file, header + stringify(spec));
      files.push(file);
      commands.push([
        'gcloud',
        'ai',
        'custom-jobs',
        'create',
        `--region=${options.region}`,
        `--display-name=${options.job}-${trialName(index)}`,
        `--config=${file}`,
      ]);
    }
  }
  return { on: options.on, to: options.plan.to, trials: options.plan.trials.length, files, commands };
}

/** Runs the submission's gcloud commands in order, stopping at the first failure. */
export function runGcloud(commands: readonly string[][], spawn = spawnSync): void {
  for (const [command, ...args] of commands) {
    const result = spawn(command as string, args, { stdio: 'inherit' });
    if (result.error)
      throw new UserError(
        `Could not run gcloud (${result.error.message}): install the Google Cloud CLI, or run the printed commands where it is.`,
      );
    if (result.status !== 0)
      throw new UserError(
        `\`${[command, ...args].join(' ')}\` failed (exit ${result.status}); nothing after it ran.`,
      );
  }
}

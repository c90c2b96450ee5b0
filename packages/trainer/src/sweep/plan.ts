/**
 * A sweep as the cloud runs it: its trials (each a full list of overrides), the metric they are ranked by, and the
 * bucket folder their runs go to. `pnpm sweep --on ...` writes it into the job's environment (SWEEP_PLAN, JSON), so
 * a task needs neither the sweep file nor the submitter's command line, only its index.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { namedSweepPoints, type SweepSpec } from './spec.js';
import { sweepTrials } from './trials.js';

export const PLAN_ENV = 'SWEEP_PLAN';

export const planSchema = z.strictObject({
  metric: z.string().min(1),
  goal: z.enum(['maximize', 'minimize']),
  /** gs://bucket/prefix (or a folder): trial i writes its run to `<to>/run-0i/`. */
  to: z.string().min(1),
  /** How many of each trial's overrides came from the command line rather than the sweep point. */
  commandLine: z.number().int().min(0),
  trials: z.array(z.array(z.string())).min(1),
  /** Each trial's name (a `list` sweep's recipe name, else its point's overrides), as the leaderboard shows it. */
  names: z.array(z.string()),
});

export type SweepPlan = z.infer<typeof planSchema>;

export function sweepPlan(spec: SweepSpec, overrides: readonly string[], to: string): SweepPlan {
  return {
    metric: spec.metric,
    goal: spec.goal,
    to,
    commandLine: overrides.length,
    trials: sweepTrials(spec, overrides),
    names: namedSweepPoints(spec).map((point) => point.name),
  };
}

export function planFromEnv(env: NodeJS.ProcessEnv): SweepPlan {
  const raw = env[PLAN_ENV];
  if (raw === undefined || raw === '')
    throw new UserError(
      `${PLAN_ENV} is not set: a sweep task runs inside the job \`pnpm sweep --on cloud-run-jobs|vertex\` submits.`,
    );
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UserError(`${PLAN_ENV} is not JSON: submit the sweep again with \`pnpm sweep --on ...\`.`);
  }
  const parsed = planSchema.safeParse(json);
  if (parsed.success && parsed.data.names.length !== parsed.data.trials.length)
    throw new UserError(
      `${PLAN_ENV} is not a sweep plan: it names ${parsed.data.names.length} trials but holds ${parsed.data.trials.length}.`,
    );
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserError(
    `${PLAN_ENV} is not a sweep plan: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
  );
}

/**
 * Which trial this process runs: `--task-index`, else Cloud Run Jobs' CLOUD_RUN_TASK_INDEX. Cloud Run's task count
 * must match the plan, or trials would be skipped or run twice.
 */
export function taskIndex(plan: SweepPlan, explicit: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env.CLOUD_RUN_TASK_INDEX;
  const index = explicit ?? (fromEnv === undefined ? undefined : Number(fromEnv));
  if (index === undefined || !Number.isInteger(index) || index < 0)
    throw new UserError(
      'A sweep task needs its index: pass --task-index N, or run it as a Cloud Run Job task (CLOUD_RUN_TASK_INDEX).',
    );
  if (index >= plan.trials.length)
    throw new UserError(
      `Task ${index} has no trial: the sweep has ${plan.trials.length} (indices 0-${plan.trials.length - 1}).`,
    );
  const count = env.CLOUD_RUN_TASK_COUNT;
  if (explicit === undefined && count !== undefined && Number(count) !== plan.trials.length)
    throw new UserError(
      `The job runs ${count} tasks but the sweep has ${plan.trials.length} trials: set the job's task count to ${plan.trials.length}.`,
    );
  return index;
}

/**
 * One trial of a sweep, as a cloud task runs it: train trial i locally, copy its run folder to `<to>/run-0i/`, then
 * write `trial.json` there last, so a trial that died half-way is never collected as finished.
 */
import { join } from 'node:path';
import type { Logger } from '@mri/logging';
import { openBlobStore } from '@mri/registry';
import { createRunDir, SWEEPS_DIR } from '@mri/run-records';
import { composeConfig } from '../config/index.js';
import { fromRepo } from '../paths.js';
import { uploadDir } from '../runs/upload.js';
import type { SweepRun } from './leaderboard.js';
import type { SweepPlan } from './plan.js';
import type { TrainFn } from './sweep.js';
import { trialName, trialPoint } from './trials.js';

/** What `trial.json` holds: the leaderboard row's facts, and how to rank it. */
export interface TrialRecord extends SweepRun {
  readonly index: number;
  readonly metric: string;
  readonly goal: 'maximize' | 'minimize';
}

export interface TrialTaskOptions {
  readonly plan: SweepPlan;
  readonly index: number;
  readonly configDir: string;
  readonly train: TrainFn;
  readonly log: Logger;
  readonly stopRequested: () => boolean;
}

export async function runTrialTask(options: TrialTaskOptions): Promise<TrialRecord> {
  const { plan, index, log } = options;
  const trial = plan.trials[index] as string[];
  const composed = composeConfig({ configDir: options.configDir, overrides: trial });
  const name = trialName(index);
  const runDir = createRunDir(
    join(fromRepo(composed.config.output_dir), SWEEPS_DIR, 'tasks'),
    undefined,
    name,
  );
  const overrides = trialPoint(trial, plan.commandLine);
  log.info({ task: index, of: plan.trials.length, overrides, to: plan.to }, 'sweep task');
  const summary = await options.train(composed, { runDir, stopRequested: options.stopRequested });
  const store = openBlobStore(plan.to);
  await uploadDir(store, runDir, name);
  const record: TrialRecord = {
    index,
    metric: plan.metric,
    goal: plan.goal,
    ...(plan.names[index] === undefined ? {} : { name: plan.names[index] }),
    run_dir: `${store.url}/${name}`,
    overrides,
    status: summary.status,
    seconds: summary.seconds,
    metrics: summary.metrics,
  };
  await store.write(`${name}/trial.json`, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * `pnpm sweep`: every point's config is composed and validated before the first run starts, so a typo in the sweep
 * file costs nothing. Runs share one sweep folder; the leaderboard is rewritten after each run.
 */
import { join } from 'node:path';
import type { Logger } from '@mri/logging';
import { createRunDir, SWEEPS_DIR } from '@mri/run-records';
import { type ComposedConfig, composeConfig } from '../config/index.js';
import { fromRepo } from '../paths.js';
import type { TrainOptions, TrainSummary } from '../train/run.js';
import { type LeaderboardRow, rankRuns, type SweepRun, writeLeaderboard } from './leaderboard.js';
import { namedSweepPoints, type SweepPoint, type SweepSpec } from './spec.js';
import { sweepTrials, trialName, trialPoint } from './trials.js';

export type TrainFn = (composed: ComposedConfig, options: TrainOptions) => Promise<TrainSummary>;

export interface SweepOptions {
  readonly spec: SweepSpec;
  readonly configDir: string;
  /** Overrides from the command line, applied to every run before the sweep's own. */
  readonly overrides: readonly string[];
  readonly train: TrainFn;
  readonly log: Logger;
  readonly stopRequested: () => boolean;
}

export async function runSweep(
  options: SweepOptions,
): Promise<{ sweep_dir: string; leaderboard: LeaderboardRow[] }> {
  const { spec, log } = options;
  // Sweep runs are not registered one by one: register the winner with `pnpm registry add RUN/model`.
  const named = namedSweepPoints(spec);
  const points = sweepTrials(spec, options.overrides);
  const configs = points.map((overrides) => composeConfig({ configDir: options.configDir, overrides }));
  const first = configs[0];
  if (!first) throw new Error('The sweep has no points.');
  const sweepDir = createRunDir(join(fromRepo(first.config.output_dir), SWEEPS_DIR));
  log.info({ sweepDir, runs: points.length, method: spec.method }, 'sweep started');
  const runs: SweepRun[] = [];
  let leaderboard: LeaderboardRow[] = [];
  for (const [i, composed] of configs.entries()) {
    if (options.stopRequested()) break;
    const overrides = trialPoint(points[i] as string[], options.overrides.length);
    const runDir = createRunDir(sweepDir, undefined, trialName(i));
    log.info({ run: i + 1, of: configs.length, overrides }, 'sweep run');
    const summary = await options.train(composed, { runDir, stopRequested: options.stopRequested });
    runs.push({
      name: (named[i] as SweepPoint).name,
      run_dir: summary.run_dir,
      overrides,
      status: summary.status,
      seconds: summary.seconds,
      metrics: summary.metrics,
    });
    leaderboard = rankRuns(runs, spec.metric, spec.goal);
    await writeLeaderboard(sweepDir, leaderboard, spec.metric, sweepDir);
  }
  return { sweep_dir: sweepDir, leaderboard };
}

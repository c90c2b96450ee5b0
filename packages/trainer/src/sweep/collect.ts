/**
 * `pnpm sweep --collect <bucket>`: the leaderboard of a sweep whose trials ran elsewhere (Cloud Run Job tasks,
 * Vertex AI jobs), built from each finished trial's `trial.json` and written beside them.
 */
import { openBlobStore } from '@mri/registry';
import { LEADERBOARD_FILE } from '@mri/run-records';
import { UserError } from '../errors.js';
import { type LeaderboardRow, leaderboardMarkdown, rankRuns } from './leaderboard.js';
import type { TrialRecord } from './task.js';

const TRIAL_KEY = /^run-\d+\/trial\.json$/;

export async function collectSweep(
  url: string,
): Promise<{ sweep_url: string; metric: string; trials: number; leaderboard: LeaderboardRow[] }> {
  const store = openBlobStore(url);
  const keys = (await store.list('')).filter((key) => TRIAL_KEY.test(key));
  if (keys.length === 0)
    throw new UserError(
      `No finished trials under ${store.url}: give the folder the sweep was submitted with (--to), once its tasks have run.`,
    );
  const records: TrialRecord[] = [];
  for (const key of keys) {
    const bytes = await store.read(key);
    if (bytes !== undefined) records.push(JSON.parse(new TextDecoder().decode(bytes)) as TrialRecord);
  }
  records.sort((a, b) => a.index - b.index);
  const [first] = records as [TrialRecord];
  if (records.some((r) => r.metric !== first.metric || r.goal !== first.goal))
    throw new UserError(
      `The trials under ${store.url} are ranked by different metrics: they belong to different sweeps.`,
    );
  const leaderboard = rankRuns(
    records.map(({ name, run_dir, overrides, status, seconds, metrics }) => ({
      ...(name === undefined ? {} : { name }),
      run_dir,
      overrides,
      status,
      seconds,
      metrics,
    })),
    first.metric,
    first.goal,
  );
  await store.write(
    LEADERBOARD_FILE,
    `${JSON.stringify({ metric: first.metric, runs: leaderboard }, null, 2)}\n`,
  );
  await store.write('leaderboard.md', leaderboardMarkdown(leaderboard, first.metric, store.url));
  return { sweep_url: store.url, metric: first.metric, trials: records.length, leaderboard };
}

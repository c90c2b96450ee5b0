/**
 * Ranks finished sweep runs by the chosen metric and writes the ranking as JSON, as a markdown table and as a
 * time-versus-metric chart (tradeoff.png), so a faster recipe that scores nearly as well is seen at a glance.
 */
import { join } from 'node:path';
import { writeFileAtomicSync } from '@mri/atomic-file';
import { tradeoffSpec } from '@mri/charts';
import { LEADERBOARD_FILE } from '@mri/run-records';
import { writeJson } from '../files.js';
import { renderPng } from '../plots/render.js';

export interface SweepRun {
  /** The point's name (a `list` sweep's recipe name, else its overrides). */
  readonly name?: string;
  readonly run_dir: string;
  readonly overrides: readonly string[];
  readonly status: string;
  readonly seconds: number;
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface LeaderboardRow extends SweepRun {
  readonly rank: number;
  readonly score: number | null;
}

export function rankRuns(
  runs: readonly SweepRun[],
  metric: string,
  goal: 'maximize' | 'minimize',
): LeaderboardRow[] {
  const sign = goal === 'maximize' ? -1 : 1;
  const scored = runs.map((run) => ({ ...run, score: run.metrics[metric] ?? null }));
  // Runs without the metric (failed, interrupted before validation) rank last, in run order.
  const sorted = [...scored].sort((a, b) => {
    if (a.score === null || b.score === null) return (a.score === null ? 1 : 0) - (b.score === null ? 1 : 0);
    return sign * (a.score - b.score);
  });
  return sorted.map((row, i) => ({ ...row, rank: i + 1 }));
}

export async function writeLeaderboard(
  dir: string,
  rows: readonly LeaderboardRow[],
  metric: string,
  sweepDir: string,
): Promise<void> {
  writeJson(join(dir, LEADERBOARD_FILE), { metric, runs: rows });
  writeFileAtomicSync(join(dir, 'leaderboard.md'), leaderboardMarkdown(rows, metric, sweepDir));
  const points = rows.flatMap((r) =>
    r.score === null ? [] : [{ name: r.name ?? `run ${r.rank}`, seconds: r.seconds, score: r.score }],
  );
  if (points.length > 0) await renderPng(tradeoffSpec(points, metric), join(dir, 'tradeoff.png'));
}

/** The ranking as a markdown table; run folders are shown relative to the sweep's. */
export function leaderboardMarkdown(
  rows: readonly LeaderboardRow[],
  metric: string,
  sweepDir: string,
): string {
  const lines = rows.map((r) => {
    const run = r.run_dir.startsWith(sweepDir) ? r.run_dir.slice(sweepDir.length + 1) : r.run_dir;
    const score = r.score === null ? 'n/a' : r.score.toFixed(4);
    return `| ${r.rank} | ${r.name ?? ''} | ${score} | ${r.overrides.map((o) => `\`${o}\``).join(' ')} | ${r.status} | ${Math.round(r.seconds)} | ${run} |`;
  });
  const table = [
    `| rank | name | ${metric} | overrides | status | seconds | run |`,
    '| ---: | --- | ---: | --- | --- | ---: | --- |',
    ...lines,
  ];
  return `# Sweep leaderboard\n\n${table.join('\n')}\n`;
}

/**
 * Run folders as Hydra lays them out: OUTPUT/YYYY-MM-DD/HH-MM-SS, with a suffix when two start in one second; a
 * sweep is a dated folder under OUTPUT/sweeps with one folder per trial inside it. The trainer creates them, readers
 * (the dashboard) read a run's start time and its sweep back from the same layout.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folder under the output folder that holds sweeps (and, under it, cloud sweep tasks and submissions). */
export const SWEEPS_DIR = 'sweeps';
/** A sweep's ranking, in its folder beside its runs: `{ metric, runs: [{ rank, score, run_dir, ... }] }`. */
export const LEADERBOARD_FILE = 'leaderboard.json';

const pad = (n: number) => String(n).padStart(2, '0');

/** A new folder under `parent`: the dated layout by default, or a fixed `name` (sweep runs). */
export function createRunDir(parent: string, now: Date = new Date(), name?: string): string {
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  const base = name ? join(parent, name) : join(parent, day, time);
  let dir = base;
  for (let n = 1; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `2026-12-04/11-50-00` (a run id, `/`-separated) as a local ISO time, when the id follows the dated layout. */
export function startedAt(id: string): string | null {
  const match = /(\d{4}-\d{2}-\d{2})\/(\d{2})-(\d{2})-(\d{2})(?:-\d+)?(?:\/|$)/.exec(id);
  return match ? `${match[1]}T${match[2]}:${match[3]}:${match[4]}` : null;
}

/** The sweep folder a run id sits in (`…/sweeps/DAY/TIME/run-3` -> `…/sweeps/DAY/TIME`), or null. */
export function sweepOf(id: string): string | null {
  return new RegExp(`^(.*${SWEEPS_DIR}/[^/]+/[^/]+)/[^/]+$`).exec(id)?.[1] ?? null;
}

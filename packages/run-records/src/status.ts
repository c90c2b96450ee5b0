/**
 * A run's status as its folder tells it, the one rule the trainer (`pnpm runs`, resume) and the dashboard share. A
 * live run keeps `status: 'running'` in metrics.json with its process, host and a heartbeat it refreshes while it
 * trains; a run killed outright (`kill -9`, an out-of-memory kill, a preempted machine) cannot say so itself, so a
 * reader calls a running run whose process is gone, or whose heartbeat has lapsed, `interrupted`. Such a run resumes
 * from its last checkpoint (`pnpm train --resume <run dir>`).
 */
import { hostname } from 'node:os';
import { processAlive } from '@mri/atomic-file';

/** How often a live run refreshes its heartbeat. */
export const HEARTBEAT_MS = 30_000;
/** A heartbeat older than this means the run is gone (four missed beats: a long epoch never blocks the timer). */
export const HEARTBEAT_LAPSE_MS = 4 * HEARTBEAT_MS;

/** The fields metrics.json carries while the run is alive. */
export interface LiveFields {
  readonly status: 'running';
  readonly pid: number;
  readonly host: string;
  readonly heartbeat_at: string;
}

export function liveFields(now = new Date()): LiveFields {
  return { status: 'running', pid: process.pid, host: hostname(), heartbeat_at: now.toISOString() };
}

/**
 * The status to show for a run's metrics.json: what it says, except that a `running` run whose process has ended on
 * this machine, or whose heartbeat is older than HEARTBEAT_LAPSE_MS (another machine), is `interrupted`.
 */
export function runStatus(
  metrics: Readonly<Record<string, unknown>>,
  now = Date.now(),
  thisHost = hostname(),
  exists: (pid: number) => boolean = processAlive,
): string {
  const status = typeof metrics.status === 'string' ? metrics.status : 'unknown';
  if (status !== 'running') return status;
  if (metrics.host === thisHost && typeof metrics.pid === 'number' && !exists(metrics.pid))
    return 'interrupted';
  const beat = typeof metrics.heartbeat_at === 'string' ? Date.parse(metrics.heartbeat_at) : Number.NaN;
  return Number.isNaN(beat) || now - beat > HEARTBEAT_LAPSE_MS ? 'interrupted' : 'running';
}

/** Statuses a run can be resumed from: it stopped before it finished (killed, Ctrl-C, an error). */
export const RESUMABLE = new Set(['interrupted', 'failed']);

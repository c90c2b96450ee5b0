/**
 * The status the dashboard shows for a run, by the trainer's rule (packages/trainer/src/runs/status.ts, which writes
 * these fields): a run whose metrics.json still says `running` but whose process has ended on this machine, or whose
 * heartbeat has lapsed, was killed outright and is `interrupted` (it resumes with `pnpm train --resume`).
 */
import { hostname } from 'node:os';

/** The trainer refreshes its heartbeat every 30 s; four missed beats mean the run is gone. */
export const HEARTBEAT_LAPSE_MS = 120_000;

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runStatus(metrics: Readonly<Record<string, unknown>>, now = Date.now()): string {
  const status = typeof metrics.status === 'string' ? metrics.status : 'unknown';
  if (status !== 'running') return status;
  if (metrics.host === hostname() && typeof metrics.pid === 'number' && !processExists(metrics.pid)) {
    return 'interrupted';
  }
  const beat = typeof metrics.heartbeat_at === 'string' ? Date.parse(metrics.heartbeat_at) : Number.NaN;
  return Number.isNaN(beat) || now - beat > HEARTBEAT_LAPSE_MS ? 'interrupted' : 'running';
}

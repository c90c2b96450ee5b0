/**
 * The trials of a sweep: the overrides each one trains with, and its name. `pnpm sweep` runs them one after another;
 * `pnpm sweep --on ...` hands the same list to Cloud Run Jobs or Vertex AI, where task i runs trial i.
 */
import { namedSweepPoints, type SweepSpec } from './spec.js';

/** Command-line overrides first, then the sweep point; sweep runs are not registered one by one. */
export function sweepTrials(spec: SweepSpec, overrides: readonly string[]): string[][] {
  return namedSweepPoints(spec).map((point) => [...overrides, ...point.overrides, 'registry.register=false']);
}

/** The point's own overrides, without the command line's and the registration flag. */
export function trialPoint(trial: readonly string[], commandLine: number): string[] {
  return trial.slice(commandLine, -1);
}

/** `run-01` for the first trial: the folder name locally and in the bucket. */
export function trialName(index: number): string {
  return `run-${String(index + 1).padStart(2, '0')}`;
}

/**
 * Learning-rate schedules by optimiser step. One-cycle follows PyTorch's OneCycleLR (cosine annealing, initial
 * lr = max / 25, final lr = initial / 1e4), the schedule the yardstick recipe uses.
 */
export type ScheduleName = 'one_cycle' | 'cosine' | 'constant';

export interface Schedule {
  readonly name: ScheduleName;
  readonly maxLr: number;
  readonly totalSteps: number;
  /** One-cycle only: fraction of the steps spent rising to maxLr. */
  readonly warmupFraction: number;
}

const DIV_FACTOR = 25;
const FINAL_DIV_FACTOR = 1e4;

function cosineBetween(from: number, to: number, progress: number): number {
  return to + ((from - to) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))))) / 2;
}

export function learningRateAt(schedule: Schedule, step: number): number {
  const { name, maxLr, totalSteps } = schedule;
  if (name === 'constant' || totalSteps <= 1) return maxLr;
  if (name === 'cosine') return cosineBetween(maxLr, 0, step / (totalSteps - 1));
  const initial = maxLr / DIV_FACTOR;
  const final = initial / FINAL_DIV_FACTOR;
  const peak = Math.max(1, Math.round(schedule.warmupFraction * totalSteps) - 1);
  if (step <= peak) return cosineBetween(initial, maxLr, step / peak);
  return cosineBetween(maxLr, final, (step - peak) / Math.max(1, totalSteps - 1 - peak));
}

/**
 * A 95 % confidence interval for accuracy that respects near-copies. Images in one duplicate group are not
 * independent evidence (a model right on one slice of a scan is right on its neighbour), so the interval comes from
 * a cluster bootstrap: resample whole groups with replacement, recompute accuracy, take the 2.5th and 97.5th
 * percentiles. With every image its own group this is the ordinary bootstrap (close to a Wilson interval).
 */
import { seededRandom } from '@mri/data';

export interface AccuracyInterval {
  readonly low: number;
  readonly high: number;
  /** Independent units the interval rests on: groups, not images. */
  readonly groups: number;
}

export interface IntervalOptions {
  readonly resamples?: number;
  readonly seed?: number;
}

/** `correct[i]` says whether image i was classified right; `groupOf[i]` names its group (default: its own). */
export function accuracyInterval(
  correct: ArrayLike<boolean>,
  groupOf?: ArrayLike<number>,
  { resamples = 2000, seed = 0 }: IntervalOptions = {},
): AccuracyInterval {
  const hits = new Map<number, [number, number]>();
  for (let i = 0; i < correct.length; i++) {
    const id = groupOf ? (groupOf[i] as number) : i;
    const tally = hits.get(id) ?? [0, 0];
    tally[0] += correct[i] ? 1 : 0;
    tally[1] += 1;
    hits.set(id, tally);
  }
  const units = [...hits.values()];
  if (units.length === 0) return { low: Number.NaN, high: Number.NaN, groups: 0 };
  const random = seededRandom(seed);
  const accuracies = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let right = 0;
    let total = 0;
    for (let k = 0; k < units.length; k++) {
      const [h, n] = units[Math.floor(random() * units.length)] as [number, number];
      right += h;
      total += n;
    }
    accuracies[r] = right / total;
  }
  accuracies.sort();
  return {
    low: quantile(accuracies, 0.025),
    high: quantile(accuracies, 0.975),
    groups: units.length,
  };
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const weight = position - below;
  return (sorted[below] as number) * (1 - weight) + (sorted[above] as number) * weight;
}

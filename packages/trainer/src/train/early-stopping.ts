/**
 * Early stopping under a decaying learning rate. Near the peak of one-cycle (or early in a cosine decay) the
 * validation score swings from epoch to epoch and says nothing about convergence: the default run on the full dataset
 * went 0.81, 0.71, 0.86, 0.82, 0.79, 0.73 before settling at 0.97, and with `training.epochs=14` a patience of 4
 * stopped it at epoch 7 with 0.86. So epochs count against the patience only once the rate has fallen to half its
 * peak; with a constant rate, from the first epoch.
 */
import { learningRateAt, type Schedule } from './schedule.js';

/**
 * Returns, after each epoch, whether to stop: `patience` settled epochs since the best one, 0 never. After the last
 * of `epochs` there is nothing to stop, so a run that did every epoch reports 'completed'.
 */
export function earlyStopping(
  patience: number,
  schedule: Schedule,
  epochs: number,
): (epoch: number, bestEpoch: number, step: number) => boolean {
  let settledFrom: number | null = null;
  return (epoch, bestEpoch, step) => {
    if (patience <= 0 || epoch >= epochs) return false;
    // One-cycle's warm-up also starts below half the peak: only its decay counts.
    const decaying = schedule.name !== 'one_cycle' || step >= schedule.warmupFraction * schedule.totalSteps;
    const settled =
      schedule.name === 'constant' || (decaying && learningRateAt(schedule, step) <= schedule.maxLr / 2);
    if (!settled) return false;
    settledFrom ??= epoch;
    return epoch - Math.max(bestEpoch, settledFrom - 1) >= patience;
  };
}

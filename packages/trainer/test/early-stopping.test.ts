import { describe, expect, it } from 'vitest';
import { earlyStopping } from '../src/train/early-stopping.js';
import type { Schedule } from '../src/train/schedule.js';

const STEPS_PER_EPOCH = 10;

/** The first epoch after which `stop` says to stop when no epoch after `bestEpoch` improves; null for none. */
function stoppingEpoch(
  schedule: Schedule,
  epochs: number,
  patience: number,
  bestEpoch: number,
): number | null {
  const stop = earlyStopping(patience, schedule, epochs);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (stop(epoch, Math.min(epoch, bestEpoch), epoch * STEPS_PER_EPOCH)) return epoch;
  }
  return null;
}

const oneCycle = (epochs: number): Schedule => ({
  name: 'one_cycle',
  maxLr: 3e-3,
  totalSteps: epochs * STEPS_PER_EPOCH,
  warmupFraction: 0.3,
});

describe('early stopping', () => {
  it('with a constant rate counts every epoch since the best', () => {
    const constant: Schedule = { name: 'constant', maxLr: 1e-3, totalSteps: 140, warmupFraction: 0.3 };
    expect(stoppingEpoch(constant, 14, 4, 3)).toBe(7);
  });

  it('under one-cycle counts only the epochs after the rate fell to half its peak', () => {
    // 140 steps, peak at step 41, the cosine falls through half the peak just after step 90 (halfway to 139), so
    // epoch 10 (ending at step 100) is the first settled epoch: four settled epochs end at epoch 13, not 7.
    expect(stoppingEpoch(oneCycle(14), 14, 4, 3)).toBe(13);
    // A best epoch inside the settled phase counts from itself.
    expect(stoppingEpoch(oneCycle(14), 14, 2, 11)).toBe(13);
    // The 10-epoch default (peak at step 29, half the peak after step 64): epochs 7-10 are the settled ones, and
    // after the last epoch there is nothing to stop, so patience 4 never stops it (it did, as its status, before).
    expect(stoppingEpoch(oneCycle(10), 10, 4, 1)).toBeNull();
    expect(stoppingEpoch(oneCycle(10), 10, 3, 1)).toBe(9);
  });

  it('never stops with patience 0', () => {
    expect(stoppingEpoch(oneCycle(14), 14, 0, 1)).toBeNull();
  });
});

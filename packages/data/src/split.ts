import { seededRandom } from './random.js';

export interface SplitOptions {
  /** Share of each class that goes to validation, in [0, 1). */
  readonly validationFraction: number;
  readonly seed: number;
}

export interface Split {
  /** Indices into the labels array, ascending. */
  readonly train: number[];
  readonly validation: number[];
}

/**
 * Deterministic stratified split: each class is shuffled with a generator seeded by (seed, class) and its first
 * round(n * fraction) members go to validation, so every class keeps its share and adding a class elsewhere does
 * not reshuffle this one.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions): Split {
  const { validationFraction, seed } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}.`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    const members = byClass.get(label) ?? [];
    members.push(i);
    byClass.set(label, members);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const [label, members] of byClass) {
    const random = seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(label + 1, 0xc2b2ae35));
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j] as number, members[i] as number];
    }
    const count = Math.round(members.length * validationFraction);
    validation.push(...members.slice(0, count));
    train.push(...members.slice(count));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

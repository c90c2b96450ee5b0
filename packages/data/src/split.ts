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
 * Deterministic stratified split that keeps groups whole. `groupOf[i]` names image i's group (near-copies of one
 * picture, see near-duplicates.ts); without it every image is its own group. A group belongs to the class most of
 * its members have (ties: the smallest label). Each class's groups are shuffled with a generator seeded by
 * (seed, class) and taken into validation while that brings the class's validation count closer to
 * round(n * fraction), so every class keeps its share and adding a class elsewhere does not reshuffle this one.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  options: SplitOptions,
  groupOf?: ArrayLike<number>,
): Split {
  const { validationFraction, seed } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}.`);
  }
  if (groupOf && groupOf.length !== labels.length) {
    throw new RangeError(`groupOf has ${groupOf.length} entries for ${labels.length} labels.`);
  }
  const { byClass, classSize } = groupsByClass(labels, groupOf);
  const train: number[] = [];
  const validation: number[] = [];
  for (const [label, classGroups] of byClass) {
    const random = seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(label + 1, 0xc2b2ae35));
    for (let i = classGroups.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [classGroups[i], classGroups[j]] = [classGroups[j] as number[], classGroups[i] as number[]];
    }
    const target = Math.round((classSize.get(label) as number) * validationFraction);
    let taken = 0;
    for (const members of classGroups) {
      // Take a group when that lands the count no further from the target than it is now.
      const remaining = target - taken;
      if (remaining > 0 && members.length <= 2 * remaining) {
        validation.push(...members);
        taken += members.length;
      } else {
        train.push(...members);
      }
    }
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** Each class's groups (a group counts for its majority class) and how many images they hold. */
function groupsByClass(labels: ArrayLike<number>, groupOf: ArrayLike<number> | undefined) {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const id = groupOf ? (groupOf[i] as number) : i;
    const members = groups.get(id) ?? [];
    members.push(i);
    groups.set(id, members);
  }
  const byClass = new Map<number, number[][]>();
  const classSize = new Map<number, number>();
  for (const members of groups.values()) {
    const label = majorityLabel(labels, members);
    const classGroups = byClass.get(label) ?? [];
    classGroups.push(members);
    byClass.set(label, classGroups);
    classSize.set(label, (classSize.get(label) ?? 0) + members.length);
  }
  return { byClass, classSize };
}

function majorityLabel(labels: ArrayLike<number>, members: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const i of members) counts.set(labels[i] as number, (counts.get(labels[i] as number) ?? 0) + 1);
  let best = labels[members[0] as number] as number;
  for (const [label, n] of counts) {
    const bestCount = counts.get(best) as number;
    if (n > bestCount || (n === bestCount && label < best)) best = label;
  }
  return best;
}

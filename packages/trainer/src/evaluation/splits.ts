/** The splits of a processed dataset that evaluate and visualize can read. */
export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * Where a file of the imported archive goes. The public archive unpacks to `Training/<class>/*.jpg` and
 * `Testing/<class>/*.jpg`, sometimes under one top folder; a folder of class folders alone is taken as Training.
 * Anything else (a README, macOS's `__MACOSX/` copies, hidden files) is not data.
 */

export type Split = 'Training' | 'Testing';
const SPLITS: readonly string[] = ['Training', 'Testing'];

export interface Placement {
  readonly split: Split;
  readonly className: string;
  readonly name: string;
}

/** Paths that are never data: hidden files and folders, and the resource forks macOS adds to zips. */
export function isNoise(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX' || part === 'Thumbs.db');
}

/**
 * The layout of a set of paths: `splits` when some path has a Training folder (the archive's own layout), else
 * `classes` (a folder per class, taken as Training).
 */
export function layoutOf(paths: readonly string[]): 'splits' | 'classes' {
  return paths.some((path) => path.split('/').slice(0, -1).includes('Training')) ? 'splits' : 'classes';
}

/** A path's place in data/brain-mri, or undefined for a file outside the class folders. */
export function place(path: string, layout: 'splits' | 'classes'): Placement | undefined {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  const className = parts.at(-2);
  if (!className || name === '') return undefined;
  if (layout === 'splits') {
    const split = parts.at(-3);
    return split && SPLITS.includes(split) ? { split: split as Split, className, name } : undefined;
  }
  return { split: 'Training', className, name };
}

/** Fixtures for tests of this package and of those that read datasets (`@mri/data-cli`). */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_ROOT } from './paths.js';

/** Copies a small Kaggle-layout part of the sample into `root`: `perClass` training images per class, no Testing. */
export function copySample(root: string, perClass: number): string {
  for (const name of readdirSync(join(SAMPLE_ROOT, 'Training')).sort()) {
    const target = join(root, 'Training', name);
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(join(SAMPLE_ROOT, 'Training', name))
      .sort()
      .slice(0, perClass)) {
      cpSync(join(SAMPLE_ROOT, 'Training', name, file), join(target, file));
    }
  }
  return root;
}

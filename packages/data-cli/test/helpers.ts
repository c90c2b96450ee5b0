import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_ROOT } from '@mri/data';
import { afterEach } from 'vitest';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder removed after the test. */
export function tempDir(prefix = 'mri-data-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A small Kaggle-layout copy of the sample: `perClass` training images per class, no Testing split. */
export function sampleCopy(perClass: number): string {
  const root = tempDir();
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

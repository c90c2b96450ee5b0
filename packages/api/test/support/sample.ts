/** The repository's embedded MRI sample, and helpers to pick real images from it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLE_ROOT = fileURLToPath(new URL('../../../../sample/brain-mri', import.meta.url));

/** Every image of a split, as [class, path], in a stable order. */
export function sampleImages(split: 'Training' | 'Testing'): Array<{ label: string; path: string }> {
  const root = join(SAMPLE_ROOT, split);
  return readdirSync(root)
    .sort()
    .flatMap((label) =>
      readdirSync(join(root, label))
        .sort()
        .map((file) => ({ label, path: join(root, label, file) })),
    );
}

export function readSample(path: string): Buffer {
  return readFileSync(path);
}

/** The repository's embedded MRI sample, and helpers to pick real images from it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

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

/**
 * A sample slice as a phone would send it: `factor` times the pixels on each side, re-encoded (2240 px by default,
 * which the service decodes at reduced scale).
 */
export async function enlarged(path: string, factor = 10): Promise<Buffer> {
  const { width = 0 } = await sharp(path).metadata();
  return sharp(path)
    .resize(width * factor)
    .jpeg({ quality: 95 })
    .toBuffer();
}

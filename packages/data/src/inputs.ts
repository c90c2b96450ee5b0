import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from './discover.js';
import { PIPELINE, type SampleSet } from './manifest.js';
import type { PreprocessingSpec } from './spec.js';

/** One file of the dataset, read into memory with its content hash, or the reason it could not be read. */
export interface Input {
  readonly path: string;
  readonly set: SampleSet;
  readonly label: number;
  readonly bytes?: Uint8Array;
  readonly sha256: string | null;
  readonly readError?: string;
}

/** Reads every training and testing file (16 at a time) and hashes its bytes. */
export async function readInputs(dataset: Dataset): Promise<Input[]> {
  const entries = [
    ...dataset.training.map((f) => ({ ...f, set: 'training' as const })),
    ...dataset.testing.map((f) => ({ ...f, set: 'testing' as const })),
  ];
  const inputs: Input[] = new Array(entries.length);
  let next = 0;
  const readOne = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index] as (typeof entries)[number];
      try {
        const bytes = await readFile(join(dataset.root, entry.path));
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        inputs[index] = { ...entry, bytes, sha256 };
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        inputs[index] = { ...entry, sha256: null, readError: reason };
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, readOne));
  return inputs;
}

/** Hash of everything the cached pixels and split depend on: pipeline, spec, split options, every file's content. */
export function cacheKey(
  dataset: Dataset,
  inputs: readonly Input[],
  spec: PreprocessingSpec,
  split: { seed: number; validationFraction: number },
  maxPixels: number,
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ pipeline: PIPELINE, spec, split, maxPixels, classNames: dataset.classNames }));
  for (const input of inputs) hash.update(`\n${input.set}\t${input.label}\t${input.path}\t${input.sha256}`);
  return hash.digest('hex');
}

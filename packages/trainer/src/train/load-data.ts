/** The config's dataset, through the data package's processed cache, as in-memory normalised splits. */
import { createHash } from 'node:crypto';
import { ensureProcessed, type ProcessedDataset, specFor } from '@mri/data';
import type { Logger } from '@mri/logging';
import type { TrainConfig } from '../config/index.js';
import { fromRepo } from '../paths.js';
import type { Split } from './batches.js';
import type { PreparedData } from './data.js';

export async function prepareData(config: TrainConfig, log: Logger): Promise<PreparedData> {
  const { dataset, summary } = await ensureProcessed({
    root: fromRepo(config.data.root),
    spec: specFor(config.data.image_size),
    validationFraction: config.data.val_fraction,
    seed: config.data.seed,
    logger: log,
  });
  log.info(
    {
      root: summary.root,
      reused: summary.reused,
      train: summary.train,
      validation: summary.validation,
      skipped: summary.skipped,
      duplicates: summary.duplicates,
    },
    'dataset ready',
  );
  const train = limitPerClass(dataset, dataset.split.train, config.data.limit_per_class);
  return {
    classNames: dataset.classNames,
    spec: dataset.spec,
    train: toSplit(dataset, train),
    validation: toSplit(dataset, dataset.split.validation),
    test: dataset.split.test.length > 0 ? toSplit(dataset, dataset.split.test) : undefined,
    dataHash: dataHash(dataset),
    root: summary.root,
  };
}

/** The images at `indices`, normalised, with their labels and near-copy groups. */
export function toSplit(dataset: ProcessedDataset, indices: readonly number[]): Split {
  const groupOfSample = new Map<number, number>();
  dataset.manifest.split.groups.forEach((members, id) => {
    for (const i of members) groupOfSample.set(i, id);
  });
  const singles = dataset.manifest.split.groups.length;
  return {
    images: dataset.images(indices),
    labels: Int32Array.from(indices, (i) => dataset.labels[i] as number),
    count: indices.length,
    groupOf: Int32Array.from(indices, (i) => groupOfSample.get(i) ?? singles + i),
  };
}

function limitPerClass(
  dataset: ProcessedDataset,
  indices: readonly number[],
  limit: number | undefined,
): number[] {
  if (limit === undefined) return [...indices];
  const taken = new Map<number, number>();
  return indices.filter((i) => {
    const label = dataset.labels[i] as number;
    const n = taken.get(label) ?? 0;
    taken.set(label, n + 1);
    return n < limit;
  });
}

/** The training folder's identity: every file's path and content hash, in path order. */
function dataHash(dataset: ProcessedDataset): string {
  const hash = createHash('sha256');
  const files = dataset.manifest.samples
    .filter((s) => s.set === 'training')
    .map((s) => `${s.path}\0${s.sha256}\n`);
  for (const line of files.sort()) hash.update(line);
  return hash.digest('hex');
}

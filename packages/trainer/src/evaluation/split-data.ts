/**
 * The images of one split, preprocessed with the spec a model carries (never the config's), so that a model is
 * always evaluated on exactly the input it was trained on.
 */
import { ensureProcessed, type PreprocessingSpec } from '@mri/data';
import type { Logger } from '@mri/logging';
import type { TrainConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { fromRepo } from '../paths.js';
import type { Split } from '../train/batches.js';
import { toSplit } from '../train/load-data.js';
import type { SplitName } from './splits.js';

export async function loadSplit(
  config: TrainConfig,
  spec: PreprocessingSpec,
  classNames: readonly string[],
  split: SplitName,
  log: Logger,
): Promise<Split> {
  const { dataset } = await ensureProcessed({
    root: fromRepo(config.data.root),
    spec,
    validationFraction: config.data.val_fraction,
    seed: config.data.seed,
    logger: log,
  });
  if (dataset.classNames.join() !== classNames.join()) {
    throw new UserError(
      `The model knows classes ${classNames.join(', ')} but ${config.data.root} has ${dataset.classNames.join(', ')}; evaluate on data with the same classes.`,
    );
  }
  const indices = dataset.split[split];
  if (indices.length === 0) {
    throw new UserError(
      `${config.data.root} has no ${split} images${split === 'test' ? ' (no Testing/ folder)' : ''}; choose another --split.`,
    );
  }
  return toSplit(dataset, indices);
}

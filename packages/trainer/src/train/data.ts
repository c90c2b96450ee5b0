/** The data a training run needs, in memory: normalised splits plus what the registry and drift checks record. */
import type { PreprocessingSpec } from '@mri/data';
import type { Split } from './batches.js';

export interface PreparedData {
  readonly classNames: readonly string[];
  readonly spec: PreprocessingSpec;
  readonly train: Split;
  readonly validation: Split;
  /** The dataset's Testing/ folder, when it has one. */
  readonly test: Split | undefined;
  /** sha256 over the training files' paths and content hashes. */
  readonly dataHash: string;
  readonly root: string;
}

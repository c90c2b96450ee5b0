/**
 * Untrained artifacts for the benchmark. Speed does not depend on the weights, and the reference serves freshly
 * initialised networks too, so both sides run the same computation a trained model would.
 * TODO(lead): build through @mri/model's engine once it lands (createTrainEngine(...).save()).
 */
import { buildTemporaryModel } from '../test/support/temporary-model.js';

export async function buildBenchModel(
  dir: string,
  architecture: 'simple_cnn' | 'compact',
  size: number,
): Promise<string> {
  return buildTemporaryModel(dir, size, architecture);
}

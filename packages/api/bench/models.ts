/**
 * Untrained artifacts for the benchmark. Speed does not depend on the weights, and the reference serves freshly
 * initialised networks too, so both sides run the same computation a trained model would.
 * TODO(lead): build through @mri/model's engine once it lands (architectures simple_cnn and compact).
 */
import type { ArchitectureName } from '@mri/model';
import { buildTemporaryModel } from '../test/support/temporary-model.js';

export async function buildBenchModel(
  dir: string,
  architecture: ArchitectureName,
  size: number,
): Promise<string> {
  if (architecture !== 'simple_cnn') {
    process.stderr.write(`  (${architecture} is not buildable yet; using simple_cnn at ${size})\n`);
  }
  return buildTemporaryModel(dir, size);
}

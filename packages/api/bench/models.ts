/**
 * Untrained artifacts for the benchmark, saved by the model package's engine. Speed does not depend on the weights,
 * and the reference serves freshly initialised networks too, so both sides run the computation a trained model would.
 */
import type { ArchitectureName } from '@mri/model';
import { buildTemporaryModel } from '../test/support/temporary-model.js';

export function buildBenchModel(dir: string, architecture: ArchitectureName, size: number): Promise<string> {
  return buildTemporaryModel(dir, size, architecture);
}

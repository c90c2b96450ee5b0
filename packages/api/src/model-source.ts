/**
 * MODEL is either a model directory or a registry alias (`production`, `staging`, a version). A directory is used
 * as it is; anything else is looked up in the registry.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ResolvedModel {
  readonly dir: string;
  readonly version?: string;
}

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

export async function resolveModel(model: string, registry: string): Promise<ResolvedModel> {
  const dir = resolve(model);
  if (await isFile(join(dir, 'metadata.json'))) return { dir };
  // TODO(lead): resolve aliases through @mri/trainer's registry once the trainer branch lands on main.
  throw new ModelNotFoundError(
    `MODEL=${model} is not a model directory (no metadata.json in ${dir}), and registry aliases in ${registry} ` +
      'cannot be resolved yet; set MODEL to a model directory such as outputs/<date>/<time>/model.',
  );
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

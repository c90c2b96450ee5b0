/**
 * MODEL is either a model directory or a registry reference (an alias such as `production`, or a version such as
 * `v3`). A directory is used as it is; anything else is looked up in the model registry (@mri/registry), which also
 * downloads a version once when the registry is a bucket.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ResolvedModel {
  readonly dir: string;
  /** The registry version, when the model came from the registry. */
  readonly version?: string;
}

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

export async function resolveModel(model: string, registry: string): Promise<ResolvedModel> {
  const dir = resolve(model);
  if (await isFile(join(dir, 'metadata.json'))) return { dir };
  // Loaded only for a registry reference: the registry brings the storage clients, which a folder does not need.
  const { openRegistry, RegistryError } = await import('@mri/registry');
  try {
    const models = openRegistry({ registryUrl: registry });
    const entry = await models.entry(model);
    return { dir: await models.modelDir(entry.version), version: entry.version };
  } catch (error) {
    if (error instanceof RegistryError) {
      throw new ModelNotFoundError(
        `MODEL=${model} is not a model directory (no metadata.json in ${dir}) and the registry could not resolve ` +
          `it: ${error.message}`,
      );
    }
    throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

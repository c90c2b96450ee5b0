/**
 * A model reference given on the command line, to a local model folder: a folder is used as it is and never touches
 * the registry; anything else is a registry version or alias, and an empty registry is first seeded with the shipped
 * model, so `production` works on a fresh clone (`pnpm predict`, `pnpm export`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSeeded, openRegistry } from '@mri/registry';
import { composeConfig } from '../config/index.js';
import { CONFIG_DIR, fromRepo } from '../paths.js';

export async function resolveModelRef(model: string, registryUrl?: string): Promise<string> {
  if (existsSync(join(fromRepo(model), 'model.json'))) return fromRepo(model);
  const registry = openRegistry({
    registryUrl: registryUrl ?? composeConfig({ configDir: CONFIG_DIR }).config.registry.url,
  });
  await ensureSeeded(registry);
  return registry.modelDir(model);
}

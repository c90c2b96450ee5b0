/**
 * The model the repository ships (trained by the default recipe on the full dataset, `pnpm ship-model`), imported
 * into an empty registry as `production`, so that a new user's first `pnpm serve` answers with the real classifier.
 * The trainer calls this before it trains and the API when it opens the registry; both may do so at once, and the
 * registry still ends with one shipped version (registerIntoEmpty commits only into an empty index).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRepo } from '@mri/data/paths';
import type { RegistryEntry } from './index-file.js';
import type { ModelRegistry, RegistrationInfo } from './registry.js';
import { SHIPPED_ENTRY_FILE, SHIPPED_MODEL_DIR, SHIPPED_SOURCE } from './shipped.js';

/**
 * Imports the shipped model as `production` when the registry has no version at all; returns its entry then, and
 * undefined when the registry already had versions (or the repository ships no model).
 */
export async function ensureSeeded(
  registry: ModelRegistry,
  shippedDir: string = fromRepo(SHIPPED_MODEL_DIR),
): Promise<RegistryEntry | undefined> {
  const entryFile = join(shippedDir, SHIPPED_ENTRY_FILE);
  if (!existsSync(entryFile)) return undefined;
  if ((await registry.index()).versions.length > 0) return undefined;
  const info = JSON.parse(readFileSync(entryFile, 'utf8')) as RegistrationInfo;
  return registry.registerIntoEmpty(shippedDir, { ...info, source: SHIPPED_SOURCE });
}

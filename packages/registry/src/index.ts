/**
 * The model registry as a library: open one (a folder or gs://bucket/prefix), register and promote versions, and
 * resolve `production`, a version or a folder to a local model folder.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@mri/data/paths';
import { ModelRegistry, type RegistryLogger } from './registry.js';
import { openBlobStore } from './store.js';

export { RegistryError } from './errors.js';
export {
  type Comparison,
  type EvaluationScore,
  INDEX_KEY,
  type PromotionRecord,
  type RegistryEntry,
  type RegistryIndex,
} from './index-file.js';
export {
  ModelRegistry,
  PRODUCTION,
  type PromoteOptions,
  type RegisterOptions,
  type RegistrationInfo,
  type RegistryLogger,
} from './registry.js';
export { ensureSeeded } from './seed.js';
export { SHIPPED_ENTRY_FILE, SHIPPED_MODEL_DIR, SHIPPED_SOURCE } from './shipped.js';
export { openBlobStore } from './store.js';

export const DEFAULT_REGISTRY_URL = 'registry';

export interface ResolveOptions {
  /** A folder (relative to the repository root) or gs://bucket/prefix; default `registry/` in the repository. */
  readonly registryUrl?: string;
  /** Where remote versions are downloaded; default `.cache/registry` in the repository. */
  readonly cacheDir?: string;
  /** Told when the registry makes a decision on its own (the first `production`); silent by default. */
  readonly logger?: RegistryLogger;
}

export function openRegistry(options: ResolveOptions = {}): ModelRegistry {
  const store = openBlobStore(options.registryUrl ?? DEFAULT_REGISTRY_URL);
  return new ModelRegistry(store, options.cacheDir ?? join(REPO_ROOT, '.cache', 'registry'), options.logger);
}

export interface ResolvedModel {
  /** A local folder holding the model. */
  readonly dir: string;
  /** The registry version (`v3`) when the reference went through the registry; absent for a folder. */
  readonly version?: string;
}

/**
 * A model reference to a local model folder: an existing folder is used as it is; anything else is a registry
 * version (`v3`) or alias (`production`, `latest`), downloaded once when the registry is a bucket.
 */
export async function resolveModel(ref: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const asPath = resolve(ref);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return { dir: asPath };
  const registry = openRegistry(options);
  const { version } = await registry.entry(ref);
  return { dir: await registry.modelDir(version), version };
}

/** A finished run's model into the registry, with the facts the registry records about it. */
import { relative } from 'node:path';
import type { Logger } from '@mri/logging';
import { openRegistry } from '@mri/registry';
import type { ComposedConfig } from '../config/index.js';
import { REPO_ROOT } from '../paths.js';

export interface RegisterInput {
  readonly composed: ComposedConfig;
  readonly runDir: string;
  readonly modelDir: string;
  readonly metrics: Record<string, number | null>;
  readonly dataHash: string;
  readonly log: Logger;
}

/** Registers the model; returns its new version. */
export async function registerRun(input: RegisterInput): Promise<string> {
  const { composed, log } = input;
  const { config, hash } = composed;
  const registry = openRegistry({ registryUrl: config.registry.url, logger: log });
  const entry = await registry.register(input.modelDir, {
    architecture: config.model.architecture,
    metrics: Object.fromEntries(
      Object.entries(input.metrics).filter((e): e is [string, number] => e[1] !== null),
    ),
    dataHash: input.dataHash,
    configHash: hash,
    config,
    run: relative(REPO_ROOT, input.runDir),
  });
  log.info({ version: entry.version, registry: registry.store.url }, 'model registered');
  return entry.version;
}

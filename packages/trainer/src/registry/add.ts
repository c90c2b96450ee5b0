/**
 * `pnpm registry add DIR`: registers a model folder that a run wrote, taking its config and data hash from the run
 * folder around it when there is one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ModelRegistry, RegistryEntry } from '@mri/registry';
import { RUN_FILES, readMetricsFile } from '@mri/run-records';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';

interface SavedMetadata {
  architecture?: string;
  configHash?: string;
  metrics?: Record<string, number>;
}

export async function registerModelDir(registry: ModelRegistry, modelDir: string): Promise<RegistryEntry> {
  const metadataFile = join(modelDir, 'metadata.json');
  if (!existsSync(metadataFile)) {
    throw new UserError(
      `${modelDir} is not a model folder (no metadata.json); give the model/ folder of a run.`,
    );
  }
  const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as SavedMetadata;
  const runDir = dirname(modelDir);
  const runMetrics = readMetricsFile(runDir) as
    | { data_hash?: string; metrics?: Record<string, number | null> }
    | undefined;
  const configFile = join(runDir, RUN_FILES.config);
  const config = existsSync(configFile) ? parseYaml(readFileSync(configFile, 'utf8')) : null;
  const metrics = Object.fromEntries(
    Object.entries(runMetrics?.metrics ?? metadata.metrics ?? {}).filter(
      (e): e is [string, number] => typeof e[1] === 'number',
    ),
  );
  return registry.register(modelDir, {
    architecture: metadata.architecture ?? 'unknown',
    metrics,
    dataHash: runMetrics?.data_hash ?? 'unknown',
    configHash: metadata.configHash ?? 'unknown',
    config,
    run: runMetrics ? relative(REPO_ROOT, runDir) : null,
  });
}

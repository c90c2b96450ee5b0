/**
 * Which run a resume continues: the folder named by `pnpm train --resume <run dir>` (with the config it recorded),
 * or, with `training.resume=auto`, the newest unfinished run of the same config under output_dir (a retried Cloud
 * Run Job or Vertex AI task runs the same command again and should pick up where the killed attempt stopped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findRunFolders, RESUMABLE, RUN_FILES, readMetricsFile, runStatus } from '@mri/run-records';
import { parse as parseYaml } from 'yaml';
import { type ComposedConfig, configHash } from '../config/index.js';
import { isTree } from '../config/tree.js';
import { validateConfig } from '../config/validate.js';
import { UserError } from '../errors.js';
import { hasCheckpoint } from '../train/checkpoint.js';

/** The config a run folder recorded, composed as `pnpm train` composed it. */
export function composedFromRun(runDir: string): ComposedConfig {
  const dir = resolve(runDir);
  const file = join(dir, RUN_FILES.config);
  if (!existsSync(file)) {
    throw new UserError(
      `Cannot resume ${runDir}: it is not a run folder (no config.yaml); name one under outputs/.`,
    );
  }
  const tree = parseYaml(readFileSync(file, 'utf8'));
  const config = validateConfig(isTree(tree) ? tree : {});
  const choices = readMetricsFile(dir)?.choices;
  return {
    config,
    choices: isTree(choices) ? (choices as Record<string, string>) : {},
    hash: configHash(config),
  };
}

/** Throws one sentence unless `runDir` can be resumed now: it stopped unfinished and has a checkpoint. */
export function checkResumable(runDir: string): void {
  const metrics = readMetricsFile(runDir);
  const status = metrics ? runStatus(metrics) : 'unknown';
  if (status === 'running') {
    throw new UserError(
      `Cannot resume ${runDir}: it is still running (process ${metrics?.pid} on ${metrics?.host}); stop it first.`,
    );
  }
  if (metrics && !RESUMABLE.has(status)) {
    throw new UserError(`Cannot resume ${runDir}: it finished (${status}); start a new run with pnpm train.`);
  }
  if (!hasCheckpoint(runDir)) {
    throw new UserError(
      `Cannot resume ${runDir}: it stopped before its first epoch ended, so there is no checkpoint; start a new run with pnpm train.`,
    );
  }
}

/** The newest run under `outputDir` of the config `hash` that stopped unfinished with a checkpoint, if any. */
export function findResumableRun(outputDir: string, hash: string): string | undefined {
  return findRunFolders(outputDir)
    .reverse()
    .find((dir) => {
      const metrics = readMetricsFile(dir);
      return metrics?.config_hash === hash && RESUMABLE.has(runStatus(metrics)) && hasCheckpoint(dir);
    });
}

/**
 * A finished run's model into the registry, with the facts the registry records about it (data counts per class for
 * the model card); the lifecycle step seeds an empty registry with the shipped model and runs the promotion gate.
 */
import { relative } from 'node:path';
import type { Logger } from '@mri/logging';
import type { ComposedConfig } from '../config/index.js';
import { REPO_ROOT } from '../paths.js';
import type { PreparedData } from './data.js';

export interface RegisterInput {
  readonly composed: ComposedConfig;
  readonly runDir: string;
  readonly modelDir: string;
  readonly metrics: Record<string, number | null>;
  readonly data: PreparedData;
  readonly log: Logger;
}

/** Registers the model; returns its new version. */
export async function registerRun(input: RegisterInput): Promise<string> {
  const { composed, data, log } = input;
  const { config, hash } = composed;
  const { countsByClass, registerTrainedModel } = await import('../lifecycle/after-training.js');
  const registered = await registerTrainedModel(
    config,
    input.modelDir,
    {
      architecture: config.model.architecture,
      metrics: Object.fromEntries(
        Object.entries(input.metrics).filter((e): e is [string, number] => e[1] !== null),
      ),
      dataHash: data.dataHash,
      configHash: hash,
      config,
      run: relative(REPO_ROOT, input.runDir),
      data: {
        root: config.data.root,
        classes: data.classNames,
        train: countsByClass(data.train.labels, data.classNames),
        validation: countsByClass(data.validation.labels, data.classNames),
      },
    },
    log,
  );
  return registered.version;
}

/**
 * Everything a run needs before its first step: the resolved config and log in its folder, the profiler, the data and
 * the engine built for them.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@mri/logging';
import { createTrainEngine, type EngineOptions, type TrainEngine } from '@mri/model';
import { RUN_FILES } from '@mri/run-records';
import type { ComposedConfig, TrainConfig } from '../config/index.js';
import { writeYaml } from '../files.js';
import { balancedClassWeights } from './batches.js';
import type { PreparedData } from './data.js';
import { prepareData } from './load-data.js';
import { EPOCH_FIELDS, EPOCH_LINE } from './loop.js';
import { type RunProfiler, startProfiler } from './profile.js';

export interface PreparedRun {
  readonly runDir: string;
  readonly log: Logger;
  readonly data: PreparedData;
  readonly engine: TrainEngine;
  readonly engineOptions: EngineOptions;
  readonly profiler: RunProfiler | undefined;
}

export async function prepareRun(
  composed: ComposedConfig,
  runDir: string,
  options: { readonly profile?: boolean },
): Promise<PreparedRun> {
  const { config, hash } = composed;
  writeYaml(join(runDir, RUN_FILES.config), config);
  const log = createLogger({
    file: join(runDir, 'train.log'),
    prettyMessage: EPOCH_LINE,
    hideWhenPretty: EPOCH_FIELDS,
  });
  log.info({ runDir, configHash: hash, choices: composed.choices }, 'run started');
  const profiler = options.profile ? await startProfiler() : undefined;

  const data = await prepareData(config, log);
  const workers = profiler ? 0 : config.workers === 'auto' ? availableParallelism() : config.workers;
  if (profiler) log.info('profiling: training on the main thread so that its kernels can be timed');
  const engineOptions = engineOptionsFor(config, data, workers);
  const engine = await createTrainEngine(engineOptions);
  log.info(
    { backend: engine.backend, workers, train: data.train.count, validation: data.validation.count },
    'engine ready',
  );
  return { runDir, log, data, engine, engineOptions, profiler };
}

function engineOptionsFor(config: TrainConfig, data: PreparedData, workers: number): EngineOptions {
  const classWeights =
    config.training.class_weighting === 'balanced'
      ? balancedClassWeights(data.train.labels, data.classNames.length)
      : undefined;
  return {
    architecture: config.model.architecture,
    inputSize: data.spec.size,
    classNames: data.classNames,
    optimizer: {
      name: config.optimizer.name,
      lr: config.optimizer.lr,
      weightDecay: config.optimizer.weight_decay,
      momentum: config.optimizer.momentum,
    },
    seed: config.seed,
    workers,
    backend: config.backend,
    labelSmoothing: config.training.label_smoothing,
    ...(config.model.width === undefined ? {} : { width: config.model.width }),
    ...(classWeights ? { classWeights } : {}),
  };
}

/**
 * One training run, start to finish: a run folder with the resolved config, the data, the engine, the epoch loop,
 * then the figures, the final metrics, registration and upload. Returns what the CLI prints.
 */
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { createTrainEngine, type EngineOptions, trainingReference } from '@mri/model';
import type { ComposedConfig, TrainConfig } from '../config/index.js';
import { writeJson, writeYaml } from '../files.js';
import { createLogger } from '../log.js';
import { classificationReport } from '../metrics/classification.js';
import { headlineMetrics, rounded } from '../metrics/summary.js';
import { fromRepo, REPO_ROOT } from '../paths.js';
import { rocCurves, writeCurves, writeEvaluationFigures } from '../plots/figures.js';
import { createProgress } from '../progress.js';
import { createRunDir } from '../runs/run-dir.js';
import { uploadRun } from '../runs/upload.js';
import { balancedClassWeights } from './batches.js';
import type { PreparedData } from './data.js';
import { prepareData } from './load-data.js';
import { trainLoop } from './loop.js';
import { type RunProfiler, startProfiler } from './profile.js';

export interface TrainOptions {
  readonly profile?: boolean;
  /** Polled between steps; the CLI sets it on Ctrl-C. */
  readonly stopRequested?: () => boolean;
  /** Run folder to use instead of a new dated one (sweeps). */
  readonly runDir?: string;
  /** Show a progress bar on a TTY (default true). */
  readonly progress?: boolean;
}

export interface TrainSummary {
  readonly run_dir: string;
  readonly status: 'completed' | 'early_stopping' | 'max_steps' | 'interrupted';
  readonly best_epoch: number | null;
  readonly epochs: number;
  readonly seconds: number;
  readonly metrics: Record<string, number | null>;
  readonly model_dir: string | null;
  readonly model_version: string | null;
}

export async function train(composed: ComposedConfig, options: TrainOptions = {}): Promise<TrainSummary> {
  const runDir = options.runDir ?? createRunDir(fromRepo(composed.config.output_dir));
  try {
    return await runTraining(composed, options, runDir);
  } catch (error) {
    // A failed run still says so in its folder, and `pnpm runs` shows it as failed rather than missing.
    writeJson(join(runDir, 'metrics.json'), {
      run_dir: runDir,
      status: 'failed',
      error: (error as Error).message,
      config_hash: composed.hash,
    });
    throw error;
  }
}

async function runTraining(
  composed: ComposedConfig,
  options: TrainOptions,
  runDir: string,
): Promise<TrainSummary> {
  const started = performance.now();
  const { config, hash } = composed;
  writeYaml(join(runDir, 'config.yaml'), config);
  const log = createLogger(join(runDir, 'train.log'));
  log.info({ runDir, configHash: hash, choices: composed.choices }, 'run started');
  const profiler: RunProfiler | undefined = options.profile ? await startProfiler() : undefined;

  const data = await prepareData(config, log);
  const workers = profiler ? 0 : config.workers === 'auto' ? availableParallelism() : config.workers;
  if (profiler) log.info('profiling: training on the main thread so that its kernels can be timed');
  const engineOptions = engineOptionsFor(config, data, workers);
  const engine = await createTrainEngine(engineOptions);
  log.info(
    { backend: engine.backend, workers, train: data.train.count, validation: data.validation.count },
    'engine ready',
  );

  const modelDir = join(runDir, 'model');
  const reference = trainingReference(data.train, data.classNames, data.spec.size);
  let result: Awaited<ReturnType<typeof trainLoop>>;
  try {
    result = await trainLoop({
      engine,
      data,
      config,
      modelDir,
      metricsFile: join(runDir, 'metrics.jsonl'),
      metadata: (metrics) => ({
        preprocessing: data.spec,
        configHash: hash,
        metrics,
        trainingReference: reference,
      }),
      log,
      progress:
        options.progress === false
          ? createProgress({ isTTY: false } as NodeJS.WriteStream)
          : createProgress(),
      stopRequested: options.stopRequested ?? (() => false),
      ...(profiler ? { aroundStep: profiler.aroundStep } : {}),
    });
  } finally {
    await engine.dispose();
  }

  const figures = join(runDir, 'figures');
  let metrics: Record<string, number | null> = {};
  if (result.history.length > 0) await writeCurves(figures, result.history);
  if (result.bestProbabilities) {
    const report = classificationReport(data.validation.labels, result.bestProbabilities, data.classNames);
    const roc = rocCurves(report, data.validation.labels, result.bestProbabilities);
    await writeEvaluationFigures(figures, report, roc);
    metrics = {
      ...headlineMetrics(report, 'val', {
        labels: data.validation.labels,
        probabilities: result.bestProbabilities,
        groupOf: data.validation.groupOf,
      }),
      best_epoch: result.bestEpoch,
    };
    writeJson(join(runDir, 'evaluation.json'), rounded({ split: 'validation', ...report, roc }));
  }
  if (profiler) {
    const rows = await profiler.finish(runDir);
    log.info({ top: rows.slice(0, 5) }, 'profile written: profile.cpuprofile, kernels.md');
  }
  const seconds = (performance.now() - started) / 1000;
  const hasModel = result.bestEpoch !== null;
  const interrupted = result.stopReason === 'interrupted';

  let modelVersion: string | null = null;
  if (hasModel && !interrupted && config.registry.register) {
    const { countsByClass, registerTrainedModel } = await import('../lifecycle/after-training.js');
    const registered = await registerTrainedModel(
      config,
      modelDir,
      {
        architecture: config.model.architecture,
        metrics: Object.fromEntries(
          Object.entries(metrics).filter((e): e is [string, number] => e[1] !== null),
        ),
        dataHash: data.dataHash,
        configHash: hash,
        config,
        run: relative(REPO_ROOT, runDir),
        data: {
          root: config.data.root,
          classes: data.classNames,
          train: countsByClass(data.train.labels, data.classNames),
          validation: countsByClass(data.validation.labels, data.classNames),
        },
      },
      log,
    );
    modelVersion = registered.version;
  }

  const summary: TrainSummary = rounded({
    run_dir: runDir,
    status: result.stopReason,
    best_epoch: result.bestEpoch,
    epochs: result.history.length,
    seconds,
    metrics,
    model_dir: hasModel ? modelDir : null,
    model_version: modelVersion,
  });
  writeJson(join(runDir, 'metrics.json'), {
    ...summary,
    config_hash: hash,
    data_hash: data.dataHash,
    choices: composed.choices,
    backend: engineOptions.backend,
    history: rounded(result.history),
  });
  if (config.upload_url && !interrupted) {
    const url = await uploadRun(runDir, fromRepo(config.output_dir), config.upload_url);
    log.info({ url }, 'run uploaded');
  }
  log.info({ seconds: Math.round(seconds), status: result.stopReason }, 'run finished');
  log.flush();
  return summary;
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

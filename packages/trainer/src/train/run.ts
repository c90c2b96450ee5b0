/**
 * One training run, start to finish, in five steps: prepare (run folder, config, data, engine), the epoch loop,
 * reports (figures, final metrics), register, upload. Returns what the CLI prints.
 */
import { join } from 'node:path';
import { createProgress } from '@mri/logging';
import { trainingReference } from '@mri/model';
import type { ComposedConfig, TrainConfig } from '../config/index.js';
import { writeJson } from '../files.js';
import { rounded } from '../metrics/summary.js';
import { fromRepo } from '../paths.js';
import { createRunDir } from '../runs/run-dir.js';
import { uploadRun } from '../runs/upload.js';
import { checkWritable } from '../runs/writable.js';
import { trainLoop } from './loop.js';
import { type PreparedRun, prepareRun } from './prepare.js';
import { registerRun } from './register.js';
import { writeReports } from './reports.js';

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
  checkLocations(composed.config);
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
  const run = await prepareRun(composed, runDir, options);
  const { log, data } = run;
  const modelDir = join(runDir, 'model');
  const result = await loop(run, composed, modelDir, options);
  const metrics = await writeReports(runDir, data, result, run.profiler, log);
  const seconds = (performance.now() - started) / 1000;
  const hasModel = result.bestEpoch !== null;
  const interrupted = result.stopReason === 'interrupted';

  const modelVersion =
    hasModel && !interrupted && config.registry.register
      ? await registerRun({ composed, runDir, modelDir, metrics, dataHash: data.dataHash, log })
      : null;
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
    backend: run.engineOptions.backend,
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

/** Every place the run will write, checked before it trains rather than found unwritable after. */
function checkLocations(config: TrainConfig): void {
  checkWritable(config.output_dir, 'output folder (output_dir)');
  if (config.registry.register) checkWritable(config.registry.url, 'model registry (registry.url)');
  if (config.upload_url) checkWritable(config.upload_url, 'upload location (upload_url)');
}

/** The epoch loop on the prepared engine, which it disposes of whatever happens. */
async function loop(run: PreparedRun, composed: ComposedConfig, modelDir: string, options: TrainOptions) {
  const { engine, data, log, profiler } = run;
  const reference = trainingReference(data.train, data.classNames, data.spec.size);
  try {
    return await trainLoop({
      engine,
      data,
      config: composed.config,
      modelDir,
      metricsFile: join(run.runDir, 'metrics.jsonl'),
      metadata: (metrics) => ({
        preprocessing: data.spec,
        configHash: composed.hash,
        metrics,
        trainingReference: reference,
      }),
      log,
      // At a terminal the bar clears when an epoch ends and the epoch's log line takes its place.
      progress: createProgress({ clearOnStop: true, ...(options.progress === false ? { tty: false } : {}) }),
      stopRequested: options.stopRequested ?? (() => false),
      ...(profiler ? { aroundStep: profiler.aroundStep } : {}),
    });
  } finally {
    await engine.dispose();
  }
}

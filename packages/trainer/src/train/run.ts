/**
 * One training run, start to finish, in five steps: prepare (run folder, config, data, engine), the epoch loop,
 * reports (figures, final metrics), register, upload. Returns what the CLI prints. While it trains, metrics.json says
 * `running` with a heartbeat, and every epoch leaves a checkpoint, so a run killed outright shows as interrupted and
 * resumes where it stopped.
 */
import { join } from 'node:path';
import { createProgress } from '@mri/logging';
import { trainingReference } from '@mri/model';
import { createRunDir, HEARTBEAT_MS, liveFields, RUN_FILES } from '@mri/run-records';
import type { ComposedConfig, TrainConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { writeJson } from '../files.js';
import { rounded } from '../metrics/summary.js';
import { fromRepo } from '../paths.js';
import { checkResumable, findResumableRun } from '../runs/resume.js';
import { uploadRun } from '../runs/upload.js';
import { checkWritable } from '../runs/writable.js';
import { type Checkpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { type LoopCheckpoint, trainLoop } from './loop.js';
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
  /** Continue this run folder from its last checkpoint (`pnpm train --resume`); `composed` is its recorded config. */
  readonly resume?: string;
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
  const outputDir = fromRepo(composed.config.output_dir);
  const resumeDir =
    options.resume ??
    (composed.config.training.resume === 'auto' && !options.runDir
      ? findResumableRun(outputDir, composed.hash)
      : undefined);
  if (resumeDir) checkResumable(resumeDir);
  const checkpoint = resumeDir ? readCheckpoint(resumeDir) : undefined;
  if (checkpoint && checkpoint.configHash !== composed.hash) {
    throw new UserError(
      `Cannot resume ${resumeDir}: its checkpoint was written under another config; start a new run with pnpm train.`,
    );
  }
  const runDir = resumeDir ?? options.runDir ?? createRunDir(outputDir);
  const live = startHeartbeat(runDir, {
    run_dir: runDir,
    config_hash: composed.hash,
    choices: composed.choices,
    epochs: checkpoint?.epoch ?? 0,
  });
  try {
    return await runTraining(composed, options, runDir, checkpoint, live);
  } catch (error) {
    live.stop();
    // A failed run still says so in its folder, and `pnpm runs` shows it as failed rather than missing.
    writeJson(join(runDir, RUN_FILES.metrics), {
      run_dir: runDir,
      status: 'failed',
      error: (error as Error).message,
      config_hash: composed.hash,
      choices: composed.choices,
    });
    throw error;
  } finally {
    live.stop();
  }
}

interface Heartbeat {
  /** Adds to what metrics.json says while the run is alive (epochs done, history so far). */
  update(fields: Readonly<Record<string, unknown>>): void;
  stop(): void;
}

/** metrics.json says `running`, with this process and a heartbeat refreshed every HEARTBEAT_MS, until stopped. */
function startHeartbeat(runDir: string, base: Readonly<Record<string, unknown>>): Heartbeat {
  let fields = { ...base };
  let stopped = false;
  const write = () => {
    if (!stopped) writeJson(join(runDir, RUN_FILES.metrics), { ...fields, ...liveFields() });
  };
  write();
  // A beat that cannot be written (a full disk) is skipped: the next epoch's checkpoint fails loudly instead.
  const timer = setInterval(() => {
    try {
      write();
    } catch {}
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    update: (more) => {
      fields = { ...fields, ...more };
      write();
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

async function runTraining(
  composed: ComposedConfig,
  options: TrainOptions,
  runDir: string,
  checkpoint: Checkpoint | undefined,
  live: Heartbeat,
): Promise<TrainSummary> {
  const started = performance.now();
  const elapsed = () => (checkpoint?.seconds ?? 0) + (performance.now() - started) / 1000;
  const { config, hash } = composed;
  const run = await prepareRun(composed, runDir, options);
  const { log, data } = run;
  if (checkpoint && checkpoint.dataHash !== data.dataHash) {
    await run.engine.dispose();
    throw new UserError(
      `Cannot resume ${runDir}: the data under ${config.data.root} changed since its checkpoint; start a new run with pnpm train.`,
    );
  }
  const modelDir = join(runDir, RUN_FILES.model);
  const result = await loop(run, composed, modelDir, options, checkpoint, (state) => {
    writeCheckpoint(runDir, { ...state, configHash: hash, dataHash: data.dataHash, seconds: elapsed() });
    live.update({ epochs: state.epoch, data_hash: data.dataHash, history: rounded(state.history) });
  });
  const metrics = await writeReports(runDir, data, result, run.profiler, log);
  const seconds = elapsed();
  const hasModel = result.bestEpoch !== null;
  const interrupted = result.stopReason === 'interrupted';

  const modelVersion =
    hasModel && !interrupted && config.registry.register
      ? await registerRun({ composed, runDir, modelDir, metrics, data, log })
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
  live.stop();
  writeJson(join(runDir, RUN_FILES.metrics), {
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
async function loop(
  run: PreparedRun,
  composed: ComposedConfig,
  modelDir: string,
  options: TrainOptions,
  resume: Checkpoint | undefined,
  checkpoint: (state: LoopCheckpoint) => void,
) {
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
      ...(resume ? { resume } : {}),
      checkpoint,
    });
  } finally {
    await engine.dispose();
  }
}

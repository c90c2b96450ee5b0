/**
 * The epoch loop: shuffled, augmented batches through the engine with a scheduled learning rate; validation after
 * every epoch; the best epoch's weights saved as the run's model; early stopping; a clean stop on request.
 */
import { appendFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@mri/atomic-file';
import type { EpochPoint } from '@mri/charts';
import type { Logger, Progress } from '@mri/logging';
import type { ArtifactMetadataInput, TrainEngine } from '@mri/model';
import type { TrainConfig } from '../config/index.js';
import { classificationReport } from '../metrics/classification.js';
import { batchesPerEpoch, trainingBatches } from './batches.js';
import type { Checkpoint } from './checkpoint.js';
import type { PreparedData } from './data.js';
import { earlyStopping } from './early-stopping.js';
import { predictSplit } from './predict.js';
import { permutation, type SeededRandom, seededRandom } from './random.js';
import { learningRateAt, type Schedule } from './schedule.js';

export interface EpochRecord extends EpochPoint {
  readonly val_macro_f1: number;
  readonly lr: number;
  readonly seconds: number;
  readonly train_img_s: number;
}

export interface LoopResult {
  readonly history: EpochRecord[];
  readonly bestEpoch: number | null;
  /** Validation probabilities of the best epoch, row-major [validation.count, classes]. */
  readonly bestProbabilities: Float32Array | null;
  readonly stopReason: 'completed' | 'early_stopping' | 'max_steps' | 'interrupted';
  readonly steps: number;
}

export interface LoopOptions {
  readonly engine: TrainEngine;
  readonly data: PreparedData;
  readonly config: TrainConfig;
  readonly modelDir: string;
  readonly metricsFile: string;
  readonly metadata: (metrics: Record<string, number>) => ArtifactMetadataInput;
  readonly log: Logger;
  readonly progress: Progress;
  /** Polled between steps; true stops the loop after the current step. */
  readonly stopRequested: () => boolean;
  /** Wraps each step, e.g. for kernel profiling. */
  readonly aroundStep?: <T>(step: () => Promise<T>) => Promise<T>;
  /** Continue after this checkpoint's epoch instead of starting at the first. */
  readonly resume?: Checkpoint;
  /** Called at the end of every epoch with what the loop puts in a checkpoint; the caller writes it. */
  readonly checkpoint?: (state: LoopCheckpoint) => void | Promise<void>;
}

/** The loop's part of a checkpoint; the caller adds which config and data it belongs to. */
export type LoopCheckpoint = Omit<Checkpoint, 'configHash' | 'dataHash' | 'seconds'>;

/** How a person reads an epoch's line at a terminal (pino-pretty's template; JSON lines keep every field). */
export const EPOCH_LINE =
  '{msg}{if val_accuracy} | loss {train_loss} acc {train_accuracy} | val loss {val_loss} acc {val_accuracy} ' +
  'f1 {val_macro_f1} | {seconds}s, eta {eta_s}s{end}';
/** The fields EPOCH_LINE shows, hidden from the rest of a pretty line. */
export const EPOCH_FIELDS = [
  'epoch',
  'train_loss',
  'train_accuracy',
  'val_loss',
  'val_accuracy',
  'val_macro_f1',
  'seconds',
  'eta_s',
];

const score = (record: EpochRecord, monitor: TrainConfig['training']['monitor']) =>
  monitor === 'val_loss'
    ? -record.val_loss
    : monitor === 'val_macro_f1'
      ? record.val_macro_f1
      : record.val_accuracy;

/** What the loop has so far: the schedule position and random stream, the epochs recorded, the best of them. */
interface LoopState {
  readonly epoch: EpochState;
  readonly history: EpochRecord[];
  best: { epoch: number; score: number; probs: Float32Array } | null;
}

export async function trainLoop(options: LoopOptions): Promise<LoopResult> {
  const { data, config, log, resume } = options;
  const t = config.training;
  const perEpoch = batchesPerEpoch(data.train.count, t.batch_size);
  const totalSteps = Math.min(t.epochs * perEpoch, t.max_steps ?? Number.POSITIVE_INFINITY);
  const loop = startingState(config, totalSteps, resume);
  const { epoch: state } = loop;
  const shouldStopEarly = earlyStopping(t.early_stopping_patience, state.schedule, t.epochs);

  if (resume) {
    await restore(options, resume, (epoch) => Math.min(epoch * perEpoch, totalSteps), shouldStopEarly);
    if (resume.stopped) return resultOf(loop, resume.stopped);
  }

  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= t.epochs; epoch++) {
    const started = performance.now();
    const trained = await trainEpoch(options, state, epoch, perEpoch);
    if (options.stopRequested()) {
      log.warn(
        { epoch, step: state.step },
        'stopped on request; the model folder keeps the best checkpoint so far',
      );
      return resultOf(loop, 'interrupted');
    }
    const { record, probs } = await validate(options, epoch, trained, started);
    const improved = await recordEpoch(options, loop, record, probs);
    const eta = etaSeconds(loop.history, t.epochs, state.step, totalSteps);
    log.info({ ...roundAll(record), best: improved, eta_s: eta }, `epoch ${epoch}/${t.epochs}`);

    const stopped = stopAfter(epoch, loop, totalSteps, t, shouldStopEarly, log);
    if (options.checkpoint) await options.checkpoint(await loopCheckpoint(options, loop, epoch, stopped));
    if (stopped) return resultOf(loop, stopped);
  }
  return resultOf(loop, 'completed');
}

/** Whether the run ends after `epoch`, and why: its step budget is spent, or early stopping says so. */
function stopAfter(
  epoch: number,
  loop: LoopState,
  totalSteps: number,
  t: TrainConfig['training'],
  shouldStopEarly: ReturnType<typeof earlyStopping>,
  log: Logger,
): LoopCheckpoint['stopped'] {
  if (loop.epoch.step >= totalSteps && epoch < t.epochs) return 'max_steps';
  const best = loop.best?.epoch ?? epoch;
  if (!shouldStopEarly(epoch, best, loop.epoch.step)) return null;
  log.info(
    { bestEpoch: best },
    `no better ${t.monitor} for ${t.early_stopping_patience} epochs; stopping early`,
  );
  return 'early_stopping';
}

function startingState(config: TrainConfig, totalSteps: number, resume: Checkpoint | undefined): LoopState {
  const t = config.training;
  const schedule: Schedule = {
    name: t.lr_schedule,
    maxLr: config.optimizer.lr,
    totalSteps,
    warmupFraction: t.warmup_fraction,
  };
  if (!resume) {
    return {
      epoch: { schedule, random: seededRandom(config.seed), step: 0, order: undefined },
      history: [],
      best: null,
    };
  }
  const { best } = resume;
  return {
    epoch: { schedule, random: seededRandom(resume.rng), step: resume.step, order: resume.nextOrder },
    history: [...resume.history],
    best: best ? { epoch: best.epoch, score: best.score, probs: best.probabilities } : null,
  };
}

/** Appends the epoch to metrics.jsonl and the history; saves the model when it is the best so far. */
async function recordEpoch(
  options: LoopOptions,
  loop: LoopState,
  record: EpochRecord,
  probs: Float32Array,
): Promise<boolean> {
  loop.history.push(record);
  appendFileSync(options.metricsFile, `${JSON.stringify(record)}\n`);
  const current = score(record, options.config.training.monitor);
  const improved = loop.best === null || current > loop.best.score;
  if (improved) {
    loop.best = { epoch: record.epoch, score: current, probs };
    await options.engine.save(options.modelDir, options.metadata(checkpointMetrics(record)));
  }
  return improved;
}

function resultOf(loop: LoopState, reason: LoopResult['stopReason']): LoopResult {
  return {
    history: loop.history,
    bestEpoch: loop.best?.epoch ?? null,
    bestProbabilities: loop.best?.probs ?? null,
    stopReason: reason,
    steps: loop.epoch.step,
  };
}

/** Draws the next epoch's order now, so that the checkpoint holds it and the random stream's position after it. */
async function loopCheckpoint(
  options: LoopOptions,
  loop: LoopState,
  epoch: number,
  stopped: LoopCheckpoint['stopped'],
): Promise<LoopCheckpoint> {
  const state = loop.epoch;
  state.order = permutation(options.data.train.count, state.random);
  const { best } = loop;
  return {
    epoch,
    step: state.step,
    engine: await options.engine.exportState(),
    nextOrder: state.order,
    rng: state.random.state(),
    history: [...loop.history],
    best: best ? { epoch: best.epoch, score: best.score, probabilities: best.probs } : null,
    stopped,
  };
}

/**
 * Puts the engine, metrics.jsonl and the early-stopping rule where they stood when `resume` was written (the loop's
 * own variables start from it already).
 */
async function restore(
  options: LoopOptions,
  resume: Checkpoint,
  stepAfter: (epoch: number) => number,
  shouldStopEarly: ReturnType<typeof earlyStopping>,
): Promise<void> {
  const { data, engine, config, log } = options;
  if (resume.nextOrder.length !== data.train.count) {
    throw new Error(
      `The checkpoint orders ${resume.nextOrder.length} training images; the data has ${data.train.count}.`,
    );
  }
  await engine.importState(resume.engine);
  // The epochs the checkpoint recorded, and nothing an attempt appended after it.
  writeFileAtomicSync(options.metricsFile, resume.history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  replayEarlyStopping(shouldStopEarly, resume.history, config.training.monitor, stepAfter);
  log.info(
    { epoch: resume.epoch, step: resume.step, bestEpoch: resume.best?.epoch ?? null },
    `resuming after epoch ${resume.epoch}/${config.training.epochs}`,
  );
}

/** Brings a fresh early-stopping rule to where it stood after `history` (it remembers when the rate settled). */
function replayEarlyStopping(
  shouldStop: ReturnType<typeof earlyStopping>,
  history: readonly EpochRecord[],
  monitor: TrainConfig['training']['monitor'],
  stepAfter: (epoch: number) => number,
): void {
  let best: { epoch: number; score: number } | null = null;
  for (const record of history) {
    const current = score(record, monitor);
    if (best === null || current > best.score) best = { epoch: record.epoch, score: current };
    shouldStop(record.epoch, best.epoch, stepAfter(record.epoch));
  }
}

interface EpochState {
  readonly schedule: Schedule;
  readonly random: SeededRandom;
  step: number;
  /** The order of the next epoch's images when it was drawn already (for a checkpoint); else drawn by the epoch. */
  order: Int32Array | undefined;
}

type EpochTraining = Pick<EpochRecord, 'train_loss' | 'train_accuracy' | 'lr' | 'train_img_s'>;

/** One pass over the training split (or what is left of max_steps); ends early when a stop is requested. */
async function trainEpoch(
  options: LoopOptions,
  state: EpochState,
  epoch: number,
  perEpoch: number,
): Promise<EpochTraining> {
  const { engine, data, config, progress } = options;
  const t = config.training;
  const around = options.aroundStep ?? ((step) => step());
  const started = performance.now();
  const first = state.step;
  let seen = 0;
  let lossSum = 0;
  let correctSum = 0;
  let lr = learningRateAt(state.schedule, state.step);
  progress.start(Math.min(perEpoch, state.schedule.totalSteps - state.step), `epoch ${epoch}/${t.epochs}`);
  const batches = trainingBatches(data.train, {
    batchSize: t.batch_size,
    size: data.spec.size,
    augmentation: t.augmentation,
    spec: data.spec,
    random: state.random,
    ...(state.order ? { order: state.order } : {}),
  });
  state.order = undefined;
  // The next batch is cut and augmented on this thread while the workers train on the current one (the engine
  // hands a step to its workers before its promise first waits); serially, preparing batches took a third of an
  // epoch. The batches are drawn in the same order either way, so a seed replays exactly.
  let upcoming = batches.next();
  while (!upcoming.done) {
    const batch = upcoming.value;
    if (state.step >= state.schedule.totalSteps) break;
    lr = learningRateAt(state.schedule, state.step);
    engine.setLearningRate(lr);
    const pending = around(() => engine.trainStep(batch));
    upcoming = batches.next();
    const result = await pending;
    state.step++;
    seen += batch.size;
    lossSum += result.loss * batch.size;
    correctSum += result.accuracy * batch.size;
    progress.update(state.step - first, {
      loss: (lossSum / seen).toFixed(4),
      acc: (correctSum / seen).toFixed(3),
    });
    // Let the event loop reach its poll phase: Ctrl-C's handler cannot run while steps chain through microtasks.
    await new Promise((resolve) => setImmediate(resolve));
    if (options.stopRequested()) break;
  }
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  return {
    train_loss: lossSum / Math.max(1, seen),
    train_accuracy: correctSum / Math.max(1, seen),
    lr,
    train_img_s: seen / Math.max(seconds, 1e-9),
  };
}

async function validate(
  options: LoopOptions,
  epoch: number,
  trained: EpochTraining,
  started: number,
): Promise<{ record: EpochRecord; probs: Float32Array }> {
  const { engine, data } = options;
  const probs = await predictSplit(
    engine.predict.bind(engine),
    data.validation,
    data.spec.size,
    data.classNames.length,
  );
  const report = classificationReport(data.validation.labels, probs, data.classNames);
  const record: EpochRecord = {
    epoch,
    ...trained,
    val_loss: report.loss,
    val_accuracy: report.accuracy,
    val_macro_f1: report.macro.f1,
    seconds: (performance.now() - started) / 1000,
  };
  return { record, probs };
}

function checkpointMetrics(record: EpochRecord): Record<string, number> {
  const { epoch, val_accuracy, val_loss, val_macro_f1 } = record;
  return { epoch, val_accuracy, val_loss, val_macro_f1 };
}

/** Seconds left at the mean epoch time so far, over the epochs the step budget leaves. */
function etaSeconds(
  history: readonly EpochRecord[],
  epochs: number,
  step: number,
  totalSteps: number,
): number {
  const done = history.length;
  const mean = history.reduce((sum, r) => sum + r.seconds, 0) / Math.max(1, done);
  const stepsPerEpoch = step / Math.max(1, done);
  const left = Math.min(epochs - done, Math.ceil((totalSteps - step) / Math.max(1, stepsPerEpoch)));
  return Math.round(mean * Math.max(0, left));
}

function roundAll(record: EpochRecord): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Number(v.toPrecision(5))]));
}

/**
 * One model, one optimizer, one thread: the unit of training. The single-thread engine uses it directly; every
 * data-parallel worker wraps one and exchanges its gradients with the others between `gradients` and `apply`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ArchitectureName, Batch, OptimizerSettings, TrainState } from '../contract.js';
import { runInChunks, softmaxRows } from '../inference.js';
import { buildModel } from '../zoo/index.js';
import { mixSeed } from '../zoo/random.js';
import { crossEntropy, type LossSettings, lossDenominator } from './loss.js';
import { Optimizer } from './optimizer.js';

export interface TrainerSettings extends LossSettings {
  readonly architecture: ArchitectureName;
  readonly inputSize: number;
  readonly optimizer: OptimizerSettings;
  readonly seed: number;
  readonly dropout?: number;
  readonly width?: number;
}

export interface ShardGradients {
  /** This shard's share of the batch loss (shards' losses add up to the batch loss). */
  readonly loss: number;
  readonly correct: number;
  /** One tensor per trainable variable, in `trainer.trainable` order. */
  readonly grads: tf.Tensor[];
}

export class LocalTrainer {
  readonly model: tfl.LayersModel;
  readonly trainable: tf.Variable[];
  private readonly optimizer: Optimizer;
  private readonly dropouts: tfl.layers.Layer[];
  private embedder: tfl.LayersModel | undefined;

  constructor(readonly settings: TrainerSettings) {
    this.model = buildModel(settings.architecture, {
      inputSize: settings.inputSize,
      numClasses: settings.numClasses,
      seed: settings.seed,
      ...(settings.dropout === undefined ? {} : { dropout: settings.dropout }),
      ...(settings.width === undefined ? {} : { width: settings.width }),
    });
    this.trainable = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.optimizer = new Optimizer(settings.optimizer, this.trainable);
    this.dropouts = this.model.layers.filter((layer) => layer.getClassName() === 'Dropout');
  }

  /** Moving statistics (BatchNorm): state that training changes but gradients do not. */
  get statistics(): tf.Variable[] {
    return this.model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  }

  set learningRate(lr: number) {
    this.optimizer.lr = lr;
  }

  /**
   * Forward and backward pass on `batch`. `denominator` is the whole batch's weight sum when `batch` is a shard;
   * `noiseSeed` seeds the dropout masks, so a run replays exactly.
   */
  gradients(batch: Batch, denominator: number, noiseSeed: number): ShardGradients {
    this.seedDropout(noiseSeed);
    const { inputSize } = this.settings;
    return tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, inputSize, inputSize, 1]);
      const y = tf.tensor1d(batch.labels, 'int32');
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.model.apply(x, { training: true }) as tf.Tensor2D;
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')));
        return crossEntropy(logits, y, denominator, this.settings);
      }, this.trainable);
      const ordered = this.trainable.map((v) => grads[v.name] as tf.Tensor);
      const kept = correct as tf.Scalar;
      const result = { loss: value.dataSync()[0] as number, correct: kept.dataSync()[0] as number };
      kept.dispose();
      for (const g of ordered) tf.keep(g);
      return { ...result, grads: ordered };
    });
  }

  apply(grads: readonly tf.Tensor[]): void {
    this.optimizer.apply(grads);
  }

  /** A whole step on this thread: gradients on the full batch, then the update. */
  step(batch: Batch, stepIndex: number): { loss: number; accuracy: number } {
    const shard = this.gradients(
      batch,
      lossDenominator(batch.labels, this.settings),
      mixSeed(this.settings.seed, stepIndex, 0),
    );
    this.apply(shard.grads);
    tf.dispose(shard.grads);
    return { loss: shard.loss, accuracy: shard.correct / batch.size };
  }

  /** Weights and optimizer state; `steps` is the caller's (the engine counts steps). */
  exportState(steps: number): TrainState {
    const weights = this.model.weights.map((w) => w.read().dataSync() as Float32Array);
    const optimizer = this.optimizer.exportState();
    return { steps, optimizerSteps: optimizer.steps, weights, slots: optimizer.slots };
  }

  importState(state: TrainState): void {
    const weights = this.model.weights;
    if (state.weights.length !== weights.length) {
      throw new Error(`The state has ${state.weights.length} weights; this model has ${weights.length}.`);
    }
    tf.tidy(() => {
      weights.forEach((w, i) => {
        w.write(tf.tensor(state.weights[i] as Float32Array, w.shape as number[]));
      });
    });
    this.optimizer.importState({ steps: state.optimizerSteps, slots: state.slots });
  }

  predict(images: Float32Array, count: number): Float32Array {
    return runInChunks(this.model, images, count, this.settings.inputSize, softmaxRows);
  }

  embed(images: Float32Array, count: number): { values: Float32Array; width: number } {
    this.embedder ??= tfl.model({
      inputs: this.model.inputs,
      outputs: this.model.getLayer('embedding').output,
    });
    const values = runInChunks(this.embedder, images, count, this.settings.inputSize);
    return { values, width: count === 0 ? 0 : values.length / count };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }

  private seedDropout(seed: number): void {
    // tfjs-layers' Dropout draws its mask from `this.seed`; a fixed seed would repeat the mask every step and no seed
    // would make runs irreproducible, so each step gets its own derived seed.
    for (const layer of this.dropouts) (layer as unknown as { seed: number }).seed = seed;
  }
}

/**
 * Adam, AdamW and SGD with PyTorch's semantics (L2 weight decay folded into the gradient for adam/sgd, decoupled for
 * adamw), written on tf ops so that the learning rate can change every step and data-parallel workers, given the
 * same gradients, apply bit-identical updates. On wasm, Adam runs as one pass of @mri/kernels (adam.ts) that gives
 * these ops' results bit for bit (tested) in one read and write of each array instead of ~13 passes: a tenth of a
 * ResNet18 training step (11 M parameters) was these passes.
 */
import { adamUpdate } from '@mri/kernels';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerSettings } from '../contract.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export class Optimizer {
  private readonly slots: tf.Variable[][];
  private steps = 0;
  lr: number;

  constructor(
    private readonly settings: OptimizerSettings,
    private readonly params: readonly tf.Variable[],
  ) {
    this.lr = settings.lr;
    const slotCount = settings.name === 'sgd' ? (settings.momentum > 0 ? 1 : 0) : 2;
    this.slots = params.map((p) =>
      Array.from({ length: slotCount }, () => tf.variable(tf.zerosLike(p), false)),
    );
  }

  /** Applies one update; `grads[i]` belongs to `params[i]`. */
  apply(grads: readonly tf.Tensor[]): void {
    this.steps++;
    const { name, weightDecay, momentum } = this.settings;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        let g = grads[i] as tf.Tensor;
        const slots = this.slots[i] as tf.Variable[];
        if (name !== 'sgd' && this.applyFused(p, g, slots as [tf.Variable, tf.Variable])) return;
        if (weightDecay > 0 && name !== 'adamw') g = tf.add(g, tf.mul(p, weightDecay));
        if (name === 'sgd') {
          const [buf] = slots;
          if (buf !== undefined) {
            buf.assign(this.steps === 1 ? g : tf.add(tf.mul(buf, momentum), g));
            g = buf;
          }
          p.assign(tf.sub(p, tf.mul(g, this.lr)));
          return;
        }
        this.applyByOps(p, g, slots as [tf.Variable, tf.Variable]);
      });
    });
  }

  /** Adam op by op (other backends): the same update as adamUpdate's. */
  private applyByOps(p: tf.Variable, g: tf.Tensor, [m, v]: [tf.Variable, tf.Variable]): void {
    const { name, weightDecay } = this.settings;
    m.assign(tf.add(tf.mul(m, BETA1), tf.mul(g, 1 - BETA1)));
    v.assign(tf.add(tf.mul(v, BETA2), tf.mul(tf.square(g), 1 - BETA2)));
    const stepSize = this.lr / (1 - BETA1 ** this.steps);
    const denom = tf.add(tf.sqrt(tf.div(v, 1 - BETA2 ** this.steps)), EPSILON);
    const decayed = name === 'adamw' && weightDecay > 0 ? tf.mul(p, 1 - this.lr * weightDecay) : p;
    p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
  }

  /** Adam in one pass of @mri/kernels on wasm; false where it does not run (the caller's ops then do). */
  private applyFused(p: tf.Variable, g: tf.Tensor, [m, v]: [tf.Variable, tf.Variable]): boolean {
    const { name, weightDecay } = this.settings;
    const fused = adamUpdate(p, g, m, v, {
      lr: this.lr,
      beta1: BETA1,
      beta2: BETA2,
      epsilon: EPSILON,
      step: this.steps,
      weightDecay,
      decoupled: name === 'adamw',
    });
    if (!fused) return false;
    p.assign(fused[0]);
    m.assign(fused[1]);
    v.assign(fused[2]);
    return true;
  }

  /** The step count and every slot, flattened, in parameter order. */
  exportState(): { steps: number; slots: Float32Array[] } {
    return { steps: this.steps, slots: this.slots.flat().map((s) => s.dataSync() as Float32Array) };
  }

  importState(state: { steps: number; slots: readonly Float32Array[] }): void {
    const slots = this.slots.flat();
    if (state.slots.length !== slots.length) {
      throw new Error(`Optimizer state has ${state.slots.length} slots; this optimizer has ${slots.length}.`);
    }
    slots.forEach((slot, i) => {
      slot.assign(tf.tensor(state.slots[i] as Float32Array, slot.shape));
    });
    this.steps = state.steps;
  }

  dispose(): void {
    for (const slots of this.slots) tf.dispose(slots);
  }
}

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AdamStep, adamUpdate } from '../src/adam.js';
import { randomArray, readyBackends, runOn } from '../src/testing.js';

/** Adam as separate tf ops, one pass each (what the optimizer runs on other backends). */
function adamByOps(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamStep): tf.Tensor[] {
  let grad = g;
  if (s.weightDecay > 0 && !s.decoupled) grad = tf.add(grad, tf.mul(p, s.weightDecay));
  const m1 = tf.add(tf.mul(m, s.beta1), tf.mul(grad, 1 - s.beta1));
  const v1 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(grad), 1 - s.beta2));
  const stepSize = s.lr / (1 - s.beta1 ** s.step);
  const denom = tf.add(tf.sqrt(tf.div(v1, 1 - s.beta2 ** s.step)), s.epsilon);
  const decayed = s.decoupled && s.weightDecay > 0 ? tf.mul(p, 1 - s.lr * s.weightDecay) : p;
  return [tf.sub(decayed, tf.mul(tf.div(m1, denom), stepSize)), m1, v1];
}

const SIZE = 3 * 3 * 16 * 24 + 5;
// Gradients spanning eight decades (the moments' squares and quotients round differently at each), made in
// JavaScript so that both backends see the same float32 values.
const scales = randomArray(SIZE, 3);
const GRADIENTS = randomArray(SIZE, 2).map((x, i) => x * 10 ** (4 * (scales[i] as number)));
const inputs = () => ({
  p: tf.tensor1d(randomArray(SIZE, 1)),
  g: tf.tensor1d(GRADIENTS),
  m: tf.tensor1d(randomArray(SIZE, 4).map((x) => x * 0.1)),
  v: tf.tensor1d(randomArray(SIZE, 5).map((x) => Math.abs(x) * 0.01)),
});

const variants: [string, Partial<AdamStep>][] = [
  ['adam', {}],
  ['adam with L2 decay', { weightDecay: 0.01 }],
  ['adamw', { weightDecay: 0.05, decoupled: true }],
  ['adam at step 1 (largest bias correction)', { step: 1 }],
];

describe('Adam in one pass on wasm', () => {
  beforeAll(readyBackends);

  for (const [name, change] of variants) {
    it(`${name}: bit for bit the separate ops' result, on wasm and on cpu`, async () => {
      const step: AdamStep = {
        lr: 3e-4,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        step: 7,
        weightDecay: 0,
        decoupled: false,
        ...change,
      };
      const fused = await runOn('wasm', () => {
        const { p, g, m, v } = inputs();
        const out = adamUpdate(p, g, m, v, step);
        if (out === null) throw new Error('adamUpdate did not run on wasm');
        return out;
      });
      for (const backend of ['wasm', 'cpu'] as const) {
        const ops = await runOn(backend, () => {
          const { p, g, m, v } = inputs();
          return adamByOps(p, g, m, v, step);
        });
        for (let i = 0; i < 3; i++) expect(fused[i]).toEqual(ops[i]);
      }
      // The update moved the parameters (a kernel that copied p through would fail here; a few whose step is
      // below their float32 spacing stay put).
      const before = await runOn('wasm', () => [inputs().p]);
      const moved = (fused[0] as Float32Array).filter((x, i) => x !== before[0]?.[i]).length;
      expect(moved).toBeGreaterThan(0.9 * SIZE);
    });
  }

  it('leaves other backends to the caller', async () => {
    await tf.setBackend('cpu');
    const { p, g, m, v } = inputs();
    const step = {
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      step: 1,
      weightDecay: 0,
      decoupled: false,
    };
    expect(adamUpdate(p, g, m, v, step)).toBeNull();
    tf.dispose([p, g, m, v]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';

/** Readies both backends once per test file: wasm with our kernels, cpu as the reference. */
export async function readyBackends(): Promise<void> {
  registerWasmTrainingKernels();
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), so both backends see the same inputs. */
export function randomArray(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `compute` on one backend and returns its outputs as plain arrays. */
export async function runOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(compute);
  const arrays = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outputs);
  return arrays;
}

/**
 * Largest deviation of `actual` from `expected`, in units of the reference's largest magnitude. Gradients
 * are sums of many float32 products whose order differs between backends, so the error scales with the
 * largest term, not with each element (an element that cancels to ~0 has a large relative error).
 */
export function scaledMaxError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return scale === 0 ? worst : worst / scale;
}

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type AdamConstants, heapOffset, simdKernels } from './simd.js';

/** Our own kernel name: one Adam (or AdamW) update of a parameter and its two moments. */
export const AdamUpdate = 'MriAdamUpdate';

/** One step's settings; `step` counts from 1 (bias corrections 1 - beta^step). */
export interface AdamStep {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly step: number;
  /** L2 decay folded into the gradient (adam), or decoupled from it (adamw); 0 for none. */
  readonly weightDecay: number;
  readonly decoupled: boolean;
}

/**
 * The float32 constants of the update as tf ops would see them (each scalar operand of an op is a float32):
 *   g' = g + p*wd (coupled decay), m = m*b1 + g'*(1-b1), v = v*b2 + g'^2*(1-b2),
 *   p = p*(1 - lr*wd) (decoupled decay) - m / (sqrt(v / (1-b2^t)) + eps) * (lr / (1-b1^t)).
 * The wasm kernel (wasm/elementwise.ts) runs these float32 operations in this order, so each element is bit for
 * bit what the separate ops give, in one read and write of each array instead of ~13 passes.
 */
function adamConstants(s: AdamStep): AdamConstants {
  const f = Math.fround;
  return {
    b1: f(s.beta1),
    c1: f(1 - s.beta1),
    b2: f(s.beta2),
    c2: f(1 - s.beta2),
    correction2: f(1 - s.beta2 ** s.step),
    stepSize: f(s.lr / (1 - s.beta1 ** s.step)),
    eps: f(s.epsilon),
    coupled: s.weightDecay > 0 && !s.decoupled ? f(s.weightDecay) : 0,
    keep: s.weightDecay > 0 && s.decoupled ? f(1 - s.lr * s.weightDecay) : 1,
  };
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: AdamUpdate,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const kernels = simdKernels(wasm);
    if (!kernels)
      throw new Error(`${AdamUpdate} needs our wasm kernels (adamUpdate checks before running it)`);
    const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const [outP, outM, outV] = [p, m, v].map((t) => wasm.makeOutput(t.shape, 'float32')) as [
      tf.TensorInfo,
      tf.TensorInfo,
      tf.TensorInfo,
    ];
    const at = (info: tf.TensorInfo) => heapOffset(wasm, info);
    kernels.adam(
      { p: at(p), g: at(g), m: at(m), v: at(v), outP: at(outP), outM: at(outM), outV: at(outV) },
      tf.util.sizeFromShape(p.shape),
      adamConstants(attrs as unknown as AdamStep),
    );
    return [outP, outM, outV];
  },
};

/**
 * The updated parameter and moments [p, m, v] as new tensors, by one pass of ours on wasm; null elsewhere (the
 * caller runs its tf ops). Inputs of one shape.
 */
export function adamUpdate(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  step: AdamStep,
): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (tf.getBackend() !== 'wasm' || !simdKernels(tf.backend() as BackendWasm)) return null;
  if (!tf.getKernel(AdamUpdate, 'wasm') || [p, g, m, v].some((t) => t.dtype !== 'float32')) return null;
  const outs = tf.engine().runKernel(AdamUpdate, { p, g, m, v }, { ...step } as unknown as tf.NamedAttrMap);
  return outs as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

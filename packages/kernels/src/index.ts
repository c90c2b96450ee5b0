import * as tf from '@tensorflow/tfjs-core';
// In Node, tfjs-core's CommonJS bundle registers no gradients; tfjs-layers' bundle registers all of them.
// Importing it here makes tf.grad work whichever of the two the caller loaded first.
import '@tensorflow/tfjs-layers';
import { adamUpdateConfig } from './adam.js';
import { fusedBatchNormGrad, meanGrad } from './batch-norm-grads.js';
import { repeatMiddleConfig } from './broadcast.js';
import { replaceWasmKernels } from './builtin.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { wasmConvolutionKernels } from './conv2d-forward.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reductions.js';
import { reluGrad, reluGradConfig } from './relu-grad.js';
import { castConfig, identityConfig } from './zero-copy.js';

export { type AdamStep, adamUpdate } from './adam.js';
export { type BatchMoments, batchMoments, batchNormInTraining } from './batch-norm-training.js';
export { builtinWasmKernel } from './builtin.js';
export {
  type ConvSettings,
  convBiasReluInTraining,
  isConvBiasReluOutput,
  maxPoolOfConvBiasRelu,
} from './conv-bias-relu.js';
export { registerWasmConvolution } from './conv2d-forward.js';
export { copyValuesInto } from './heap.js';
export { currentWasmKernels, kernelBuild, type SimdKernels } from './simd.js';

/** Every kernel this module puts on the wasm backend, replacing a slow builtin or filling a missing one. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  ...wasmConvolutionKernels,
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  repeatMiddleConfig,
  identityConfig,
  castConfig,
  adamUpdateConfig,
  reluGradConfig,
];

/** Gradients rewritten for wasm (they defer to tfjs' own on other backends), by the kernel they differentiate. */
const gradientRewrites: Record<string, (original: tf.GradConfig) => tf.GradConfig> = {
  [tf.FusedBatchNorm]: fusedBatchNormGrad,
  [tf.Mean]: meanGrad,
  [tf.Relu]: reluGrad,
};
const installedGradients = new Set<tf.GradConfig>();

/**
 * Makes the tfjs wasm backend train convnets fast: registers the kernels above for 'wasm' (unregistering a
 * builtin of the same name first, so tfjs logs no override warning) and the wasm routes of the gradients
 * above. Idempotent; other backends compute exactly as before.
 */
export function registerWasmTrainingKernels(): void {
  replaceWasmKernels(wasmTrainingKernels);
  for (const [kernelName, rewrite] of Object.entries(gradientRewrites)) {
    const current = tf.getGradient(kernelName);
    if (!current || installedGradients.has(current)) continue;
    const ours = rewrite(current);
    installedGradients.add(ours);
    tf.registerGradient(ours);
  }
}

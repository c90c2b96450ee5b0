import * as tf from '@tensorflow/tfjs-core';
// In Node, tfjs-core's CommonJS bundle registers no gradients; tfjs-layers' bundle registers all of them.
// Importing it here makes tf.grad work whichever of the two the caller loaded first.
import '@tensorflow/tfjs-layers';
import { rememberBuiltin } from './builtin.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reductions.js';

/** Every kernel this module puts on the wasm backend, replacing a slow builtin or filling a missing one. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
];

/**
 * Makes the tfjs wasm backend train convnets fast: registers the kernels above for 'wasm' (unregistering a
 * builtin of the same name first, so tfjs logs no override warning). Idempotent; other backends are untouched.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberBuiltin(current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
}

export { builtinWasmKernel } from './builtin.js';

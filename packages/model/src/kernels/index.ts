import * as tf from '@tensorflow/tfjs-core';
// In Node, tfjs-core's CommonJS bundle registers no gradients; tfjs-layers' bundle registers all of them.
// Importing it here makes tf.grad work whichever of the two the caller loaded first.
import '@tensorflow/tfjs-layers';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';

/** Every kernel this module puts on the wasm backend, replacing a slow builtin or filling a missing one. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  maxPoolGradConfig,
];

const builtins = new Map<string, tf.KernelConfig>();

/**
 * Makes the tfjs wasm backend train convnets fast: registers the kernels above for 'wasm' (unregistering a
 * builtin of the same name first, so tfjs logs no override warning). Idempotent; other backends are untouched.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      builtins.set(config.kernelName, current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
}

/** The wasm kernel tfjs shipped under this name before registerWasmTrainingKernels replaced it (benchmarks). */
export function builtinWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return builtins.get(kernelName);
}

import * as tf from '@tensorflow/tfjs-core';

const builtins = new Map<string, tf.KernelConfig>();

/** Remembers the wasm kernel tfjs shipped under a name, before ours replaces it. */
export function rememberBuiltin(config: tf.KernelConfig): void {
  builtins.set(config.kernelName, config);
}

/** The wasm kernel tfjs shipped under this name before registerWasmTrainingKernels replaced it. */
export function builtinWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return builtins.get(kernelName);
}

const setUpOn = new WeakMap<object, Set<string>>();

/**
 * Runs the builtin kernel: our kernels hand it the cases they do not speed up. A backend set up after our
 * registration never ran the builtin's setup (which binds its wasm function), so it is run here once.
 */
export function callBuiltin(kernelName: string, params: Parameters<tf.KernelFunc>[0]) {
  const builtin = builtins.get(kernelName);
  if (!builtin) throw new Error(`no builtin wasm kernel '${kernelName}' was recorded`);
  const done = setUpOn.get(params.backend) ?? new Set<string>();
  if (!done.has(kernelName)) {
    builtin.setupFunc?.(params.backend);
    done.add(kernelName);
    setUpOn.set(params.backend, done);
  }
  return builtin.kernelFunc(params);
}

/**
 * Registers kernels for 'wasm' in place of the builtins of the same names, which are remembered for the cases ours
 * hand back (unregistering first, so tfjs logs no override warning). Idempotent.
 */
export function replaceWasmKernels(configs: readonly tf.KernelConfig[]): void {
  for (const config of configs) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberBuiltin(current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
}

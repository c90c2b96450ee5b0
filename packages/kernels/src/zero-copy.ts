import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { callBuiltin } from './builtin.js';

/**
 * The result shares x's buffer under a new reference, as wasm's own Reshape and the cpu backend's Identity
 * do; wasm kernels never write into their inputs, so sharing is safe. The builtin wasm Identity and
 * same-dtype Cast copy the whole tensor instead, and tfjs clones every tensor it saves for the backward
 * pass through Identity: a full copy of each activation on every training step.
 */
function share(x: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: (params) => {
    const { x } = params.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return callBuiltin(tf.Identity, params);
    return share(x, params.backend as BackendWasm);
  },
};

export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: (params) => {
    const { x } = params.inputs as { x: tf.TensorInfo };
    const { dtype } = params.attrs as { dtype: tf.DataType };
    if (dtype !== x.dtype || dtype === 'string') return callBuiltin(tf.Cast, params);
    return share(x, params.backend as BackendWasm);
  },
};

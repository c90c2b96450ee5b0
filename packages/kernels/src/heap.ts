import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Float32 views straight onto the wasm heap, for the few kernels written as typed-array loops. Views are
 * taken after every allocation, because allocating may grow (and so detach) the heap.
 */
export function heapOutput(
  backend: BackendWasm,
  shape: number[],
  inputs: readonly tf.TensorInfo[],
): { out: tf.TensorInfo; outView: Float32Array; inViews: Float32Array[] } {
  const out = backend.makeOutput(shape, 'float32');
  const view = (info: tf.TensorInfo) => {
    if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
    return backend.typedArrayFromHeap(info) as Float32Array;
  };
  return { out, outView: view(out), inViews: inputs.map(view) };
}

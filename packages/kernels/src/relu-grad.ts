import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { onWasm } from './batch-norm-grads.js';
import { heapOffset, simdKernels } from './simd.js';

/** Our own kernel name: ReLU's input gradient, dy where x > 0 and 0 elsewhere. */
export const ReluGrad = 'MriReluGrad';

export const reluGradConfig: tf.KernelConfig = {
  kernelName: ReluGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as BackendWasm;
    const kernels = simdKernels(wasm);
    if (!kernels)
      throw new Error(`${ReluGrad} needs our wasm kernels (the gradient checks before running it)`);
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const dx = wasm.makeOutput(x.shape, 'float32');
    const at = (info: tf.TensorInfo) => heapOffset(wasm, info);
    kernels.reluGrad({ dy: at(dy), x: at(x), dx: at(dx) }, tf.util.sizeFromShape(x.shape));
    return dx;
  },
};

/**
 * ReLU's gradient in one pass of ours on wasm (tfjs: Step of x, then a Multiply by dy: two passes over the
 * activation and a temporary of its size; 8 % of a ResNet18 training step, whose ReLUs after batch norm and the
 * residual adds are separate layers). Where x is NaN this gives 0, tfjs NaN; the zoo's inputs are finite.
 */
export function reluGrad(original: tf.GradConfig): tf.GradConfig {
  return onWasm(original, (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const d = dy as tf.Tensor;
    const ours = x.dtype === 'float32' && d.dtype === 'float32' && simdKernels(tf.backend() as BackendWasm);
    if (!ours) return original.gradFunc(dy, saved, attrs);
    return { x: () => tf.engine().runKernel(ReluGrad, { dy: d, x }) as tf.Tensor };
  });
}

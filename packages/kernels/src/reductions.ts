import * as tf from '@tensorflow/tfjs-core';
import { callBuiltin } from './builtin.js';
import { asTensor } from './tensors.js';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * [before, reduced, after] sizes when the reduced axes are one contiguous run that is not innermost, else
 * null. The builtin wasm Sum/Mean transpose such inputs so the reduced axes come last (a slow general
 * transpose that dominates bias and batch-norm gradients); XNNPACK's average pooling reads them in place.
 */
function outerReduction(shape: readonly number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined || last === shape.length - 1) return null;
  if (last - first + 1 !== sorted.length) return null;
  const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to));
  return [size(0, first), size(first, last + 1), size(last + 1, shape.length)];
}

/**
 * Mean over outer axes as one average pool whose window spans them ([before, n, 1, after] pooled by [n, 1]), far
 * faster than the builtin (README, Speed); a sum is that mean times n. (A matrix product with a ones row is as
 * fast on a reused tensor but must repack its fresh operand on every call, which costs more than the sum.)
 */
function reduceByMatMul(kernelName: 'Sum' | 'Mean', params: Parameters<tf.KernelFunc>[0]) {
  const { inputs, attrs } = params;
  const { x } = inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = attrs as unknown as ReduceAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const split = x.dtype === 'float32' ? outerReduction(x.shape, axes) : null;
  if (!split) return callBuiltin(kernelName, params);
  const [before, reduced, after] = split;
  const outShape = x.shape
    .map((d, i) => (axes.includes(i) ? 1 : d))
    .filter((_, i) => keepDims || !axes.includes(i));
  return tf.tidy(() => {
    const columns = tf.reshape(asTensor(x), [before, reduced, 1, after]) as tf.Tensor4D;
    const mean = tf.avgPool(columns, [reduced, 1], 1, 'valid');
    return tf.reshape(kernelName === 'Sum' ? tf.mul(mean, reduced) : mean, outShape);
  });
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: (params) => reduceByMatMul('Sum', params),
};

export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: 'wasm',
  kernelFunc: (params) => reduceByMatMul('Mean', params),
};

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOutput } from './heap.js';

/** Our own kernel name: repeats x [before, 1, after] along the middle axis into [before, n, after]. */
export const RepeatMiddle = 'MriRepeatMiddle';

/**
 * Writes each `after`-long row once, then doubles it with copyWithin (a memmove), so the cost is one
 * output write at memory speed. tfjs' own route (Fill ones + broadcasting Mul, or Tile) is several
 * passes of per-element index arithmetic.
 */
function repeatMiddle(x: Float32Array, out: Float32Array, before: number, n: number, after: number): void {
  const block = n * after;
  for (let b = 0; b < before; b++) {
    const start = b * block;
    out.set(x.subarray(b * after, (b + 1) * after), start);
    for (let filled = after; filled < block; filled *= 2) {
      out.copyWithin(start + filled, start, start + Math.min(filled, block - filled));
    }
  }
}

export const repeatMiddleConfig: tf.KernelConfig = {
  kernelName: RepeatMiddle,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { before, n, after, shape } = attrs as {
      before: number;
      n: number;
      after: number;
      shape: number[];
    };
    const { out, outView, inViews } = heapOutput(backend as BackendWasm, shape, [x]);
    repeatMiddle(inViews[0] as Float32Array, outView, before, n, after);
    return out;
  },
};

/**
 * Broadcasts `small` (x's shape with 1 on `axes`) to `shape`. One copy pass on wasm when the axes are a
 * contiguous run; elsewhere (other backends, scattered axes) a broadcasting multiply by ones.
 */
export function broadcastOver(small: tf.Tensor, shape: number[], axes: number[]): tf.Tensor {
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted.at(-1) ?? -1;
  const contiguous = last - first + 1 === sorted.length;
  if (tf.getBackend() !== 'wasm' || small.dtype !== 'float32' || !contiguous || sorted.length === 0) {
    return tf.mul(small, tf.ones(shape));
  }
  const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to));
  const attrs = {
    before: size(0, first),
    n: size(first, last + 1),
    after: size(last + 1, shape.length),
    shape,
  };
  return tf.engine().runKernel(RepeatMiddle, { x: small }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

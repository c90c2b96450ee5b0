/**
 * Batch normalisation in training as one differentiable op on wasm: the batch moments, the normalisation and the
 * whole backward pass (through the mean and the variance) in six passes over the activations, by our kernels
 * (wasm/batch-norm.ts). tfjs-layers composes moments, batchNorm and autodiff of both: a dozen passes and as many
 * temporaries, ~17 % of a compact-network training step. Same maths: biased batch variance, as tfjs-layers uses.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type SimdKernels } from './simd.js';

export interface BatchMoments {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/** Per-channel float32 vectors placed on the heap, for the kernels' channel arguments; null stays 0. */
function onHeap(
  backend: BackendWasm,
  vectors: (Float32Array | null)[],
): { infos: (tf.TensorInfo | null)[]; at: number[] } {
  const infos = vectors.map((v) => (v === null ? null : backend.makeOutput([v.length], 'float32')));
  // Views only after every allocation: allocating may grow, and so detach, the heap.
  infos.forEach((info, i) => {
    if (info) (backend.typedArrayFromHeap(info) as Float32Array).set(vectors[i] as Float32Array);
  });
  return { infos, at: infos.map((info) => (info === null ? 0 : heapOffset(backend, info))) };
}

function release(backend: BackendWasm, infos: (tf.TensorInfo | null)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

/** sum over rows of (a - shiftA) * (b - shiftB) per channel; b null: the sum of a - shiftA. */
function channelSums(
  kernels: SimdKernels,
  a: tf.Tensor,
  b: tf.Tensor | null,
  shiftA: Float32Array | null,
  shiftB: Float32Array | null,
): Float32Array {
  const backend = tf.backend() as BackendWasm;
  const channels = a.shape[a.rank - 1] as number;
  const scratch = new Float32Array(3 * channels);
  const { infos, at } = onHeap(backend, [shiftA, shiftB, scratch, new Float32Array(channels)]);
  const [shiftAt, shiftBt, scratchAt, outAt] = at as [number, number, number, number];
  kernels.channelSums(
    {
      a: heapOffset(backend, a),
      b: b === null ? 0 : heapOffset(backend, b),
      shiftA: shiftAt,
      shiftB: shiftBt,
      scratch: scratchAt,
      out: outAt,
    },
    { rows: a.size / channels, channels },
  );
  const out = (backend.typedArrayFromHeap(infos[3] as tf.TensorInfo) as Float32Array).slice();
  release(backend, infos);
  return out;
}

/** a * ka + b * kb + k0, per channel; b null leaves that term out. */
function channelAffine(
  kernels: SimdKernels,
  a: tf.Tensor,
  ka: Float32Array,
  b: tf.Tensor | null,
  kb: Float32Array | null,
  k0: Float32Array,
): tf.Tensor {
  const backend = tf.backend() as BackendWasm;
  const channels = a.shape[a.rank - 1] as number;
  const out = backend.makeOutput(a.shape, 'float32');
  const { infos, at } = onHeap(backend, [ka, kb, k0]);
  const [kaAt, kbAt, k0At] = at as [number, number, number];
  kernels.channelAffine(
    {
      a: heapOffset(backend, a),
      b: b === null ? 0 : heapOffset(backend, b),
      ka: kaAt,
      kb: kbAt,
      k0: k0At,
      out: heapOffset(backend, out),
    },
    { rows: a.size / channels, channels },
  );
  release(backend, infos);
  return tf.engine().makeTensorFromTensorInfo(out);
}

const perChannel = (n: number, value: (c: number) => number) =>
  Float32Array.from({ length: n }, (_, c) => value(c));

/** Mean and biased variance over every axis but the last, two passes (the second around the mean). */
export function batchMoments(kernels: SimdKernels, x: tf.Tensor): BatchMoments {
  const channels = x.shape[x.rank - 1] as number;
  const rows = x.size / channels;
  const sums = channelSums(kernels, x, null, null, null);
  const mean = perChannel(channels, (c) => (sums[c] as number) / rows);
  const squares = channelSums(kernels, x, x, mean, mean);
  return { mean, variance: perChannel(channels, (c) => (squares[c] as number) / rows) };
}

/**
 * gamma * (x - mean) / sqrt(variance + epsilon) + beta with the batch's own moments, differentiable in x, gamma and
 * beta. The gradient is the closed form of autodiff through the moments: with xh the normalised input, k =
 * gamma / sigma and m rows, dbeta = sum(dy), dgamma = sum(dy * xh), dx = k * (dy - dbeta / m - xh * dgamma / m).
 */
export function batchNormInTraining(
  kernels: SimdKernels,
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  moments: BatchMoments,
  epsilon: number,
): tf.Tensor {
  const { mean, variance } = moments;
  const channels = mean.length;
  const invStd = perChannel(channels, (c) => 1 / Math.sqrt((variance[c] as number) + epsilon));
  const normalise = tf.customGrad((...args: unknown[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const gammaValues = g.dataSync() as Float32Array;
    const betaValues = b.dataSync() as Float32Array;
    const scale = perChannel(channels, (c) => (gammaValues[c] as number) * (invStd[c] as number));
    const shift = perChannel(
      channels,
      (c) => (betaValues[c] as number) - (mean[c] as number) * (scale[c] as number),
    );
    save([input]);
    return {
      value: channelAffine(kernels, input, scale, null, null, shift),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const gradOut = dy as tf.Tensor;
        const xSaved = saved[0] as tf.Tensor;
        const rows = xSaved.size / channels;
        const dBeta = channelSums(kernels, gradOut, null, null, null);
        const centred = channelSums(kernels, gradOut, xSaved, null, mean);
        const dGamma = perChannel(channels, (c) => (centred[c] as number) * (invStd[c] as number));
        // dx = k dy + kx x + k0, with kx = -k dgamma / (sigma m) and k0 = -k dbeta / m - kx mean.
        const kx = perChannel(
          channels,
          (c) => (-(scale[c] as number) * (dGamma[c] as number) * (invStd[c] as number)) / rows,
        );
        const k0 = perChannel(
          channels,
          (c) =>
            (-(scale[c] as number) * (dBeta[c] as number)) / rows - (kx[c] as number) * (mean[c] as number),
        );
        const dx = channelAffine(kernels, gradOut, scale, xSaved, kx, k0);
        return [dx, tf.tensor1d(dGamma), tf.tensor1d(dBeta)];
      },
    };
  });
  return normalise(x, gamma, beta);
}

import * as tf from '@tensorflow/tfjs-core';
import { builtinKernelMs, medianMs } from './kernels-ops.js';

/**
 * The arithmetic ceiling of the wasm backend on this machine, in GMAC/s on one thread: a plain matrix product
 * (XNNPACK's fastest path; once with its packed weights cached, once with new weights each call, as a gradient
 * sees them) and the forward 3x3 convolution of the simple CNN's second layer at 64 px, batch 16, by XNNPACK (the
 * builtin Conv2D) and by our kernel (wasm/conv.ts).
 */
export function xnnpackCeiling(reps: number) {
  const [m, k, n] = [288, 13456, 64];
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const cached = medianMs(() => tf.matMul(a, b).dispose(), reps);
  // XNNPACK packs a product's weights once per tensor; distinct tensors (not clones, which share data) repack.
  const copies = Array.from({ length: reps + 1 }, (_, i) => tf.add(b, i));
  const fresh = medianMs(() => {
    const weights = copies.pop() as tf.Tensor;
    tf.matMul(a, weights).dispose();
    weights.dispose();
  }, reps);
  const x = tf.randomNormal([16, 31, 31, 32]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 32, 64]) as tf.Tensor4D;
  const ourConv = medianMs(() => tf.conv2d(x, w, 1, 'valid').dispose(), reps);
  const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
  const xnnpackConv = builtinKernelMs(tf.Conv2D, { x, filter: w }, attrs, reps);
  tf.dispose([a, b, x, w]);
  const gmacs = (macs: number, ms: number) => Math.round((macs / ms / 1e6) * 10) / 10;
  return {
    matmul_gmac_s: gmacs(m * k * n, cached),
    matmul_new_weights_gmac_s: gmacs(m * k * n, fresh),
    xnnpack_conv3x3_gmac_s: xnnpackConv === null ? null : gmacs(16 * 29 * 29 * 64 * 288, xnnpackConv),
    our_conv3x3_gmac_s: gmacs(16 * 29 * 29 * 64 * 288, ourConv),
  };
}

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convGeometry, paddedGeometry } from '../src/geometry.js';
import { heapOffset, instantiateKernels, kernelBuild, type SimdKernels } from '../src/simd.js';
import { randomArray, readyBackends, scaledMaxError } from '../src/testing.js';

/**
 * The convolution modules ship in two builds: plain SIMD, and relaxed SIMD whose multiply-adds are fused. The
 * gradient tests check whichever this engine loads against the cpu backend; this file checks the two builds
 * against each other on the same inputs, so the one not loaded here is tested too. Fusing skips one rounding per
 * product, so they differ by float32 rounding only: the sums here have at most a few hundred terms.
 */
const TOLERANCE = 1e-5;

function runKernels(kernels: SimdKernels, backend: BackendWasm): Float32Array[] {
  // One 'same' stride-2 layer: padding, a tile tail (5 output columns) and a stride in both kernels.
  const [n, h, w, ci, co] = [2, 9, 10, 8, 16];
  const [oh, ow] = [5, 5];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(n * h * w * ci, 1), [n, h, w, ci]);
    const filter = tf.tensor4d(randomArray(9 * ci * co, 2), [3, 3, ci, co]);
    const bias = tf.tensor1d(randomArray(co, 3));
    const dy = tf.tensor4d(randomArray(n * oh * ow * co, 4), [n, oh, ow, co]);
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    const [ph, pw] = [(oh - 1) * 2 + 3, (ow - 1) * 2 + 3];
    const padded = backend.makeOutput([n, ph, pw, ci], 'float32');
    const packed = backend.makeOutput([9 * ci * co], 'float32');
    const y = backend.makeOutput([n, oh, ow, co], 'float32');
    const dw = backend.makeOutput([3, 3, ci, co], 'float32');
    const g = convGeometry([n, h, w, ci], [3, 3, ci, co], 2, [
      [0, 0],
      [0, ph - h],
      [0, pw - w],
      [0, 0],
    ]);
    expect([g.outHeight, g.outWidth, g.padTop, g.padLeft]).toEqual([oh, ow, 0, 0]);
    kernels.padImages(
      { x: at(x), out: at(padded) },
      { batch: n, height: h, width: w, channels: ci },
      { top: 0, bottom: ph - h, left: 0, right: pw - w },
    );
    kernels.packFilter({ filter: at(filter), packed: at(packed) }, g);
    kernels.conv({ x: at(padded), packed: at(packed), bias: at(bias), out: at(y) }, paddedGeometry(g), true);
    kernels.filterGrad({ x: at(x), dy: at(dy), dw: at(dw) }, g, 2);
    const outputs = [y, dw].map((info) => backend.readSync(info.dataId) as Float32Array);
    for (const info of [padded, packed, y, dw]) backend.disposeData(info.dataId);
    return outputs.map((values) => Float32Array.from(values));
  });
}

describe('the two builds of our convolution kernels', () => {
  beforeAll(readyBackends);

  it('load the fused build where relaxed SIMD compiles (Node 20 behind a flag we set, Node 22 by default)', () => {
    expect(kernelBuild()).toBe(process.env.MRI_WASM_FMA === '0' ? 'plain' : 'fma');
  });

  it('compute the same convolution and filter gradient', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const plain = instantiateKernels(backend, 'plain') as SimdKernels;
    const fused = instantiateKernels(backend, 'fma') as SimdKernels;
    const [plainY, plainDw] = runKernels(plain, backend) as [Float32Array, Float32Array];
    const [fusedY, fusedDw] = runKernels(fused, backend) as [Float32Array, Float32Array];
    expect(plainY.some((v) => v > 0) && plainY.some((v) => v === 0)).toBe(true);
    expect(scaledMaxError(fusedY, plainY)).toBeLessThan(TOLERANCE);
    expect(scaledMaxError(fusedDw, plainDw)).toBeLessThan(TOLERANCE);
  });
});

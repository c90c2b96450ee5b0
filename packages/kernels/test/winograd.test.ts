import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convGeometry } from '../src/geometry.js';
import { heapOffset, simdKernels } from '../src/simd.js';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Bound on scaledMaxError for Winograd F(4x4, 3x3). The transforms' coefficients (up to 8 in A^T, 5 in B^T,
 * 1/24 in G) make each output a sum of 36 x ci products whose terms are up to ~100x the result's magnitude before
 * they cancel, so float32 rounding costs a few bits more than a direct sum of 9 x ci products: measured up to
 * MEASURED below on these inputs (uniform [-1, 1)); the bound leaves ~10x room, and a wrong coefficient, index or
 * edge (errors of order 1e-2 and up) still fails it.
 */
const TOLERANCE = 3e-5;

interface Case {
  x: [number, number, number, number];
  co: number;
  pad: 'same' | 'valid';
}

const kernelCases: Case[] = [
  // Sizes that are and are not multiples of 4 (partial last tiles), 'same' and 'valid', batch 1 and > 1.
  { x: [1, 7, 7, 4], co: 8, pad: 'same' },
  { x: [2, 13, 13, 4], co: 8, pad: 'valid' },
  { x: [3, 14, 14, 8], co: 16, pad: 'same' },
  { x: [1, 29, 29, 12], co: 24, pad: 'same' },
  { x: [2, 6, 6, 4], co: 8, pad: 'valid' },
  { x: [1, 5, 9, 8], co: 8, pad: 'valid' },
  { x: [2, 3, 3, 4], co: 8, pad: 'same' },
  { x: [1, 10, 17, 16], co: 40, pad: 'same' },
];

describe('Winograd F(4x4, 3x3) kernel (wasm/winograd.ts) against the cpu backend', () => {
  beforeAll(readyBackends);

  for (const c of kernelCases) {
    for (const relu of [false, true]) {
      it(`x ${c.x.join('x')} -> ${c.co} '${c.pad}'${relu ? ' bias + relu' : ''}`, async () => {
        const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.co];
        const xs = randomArray(tf.util.sizeFromShape(c.x), 1);
        const ws = randomArray(tf.util.sizeFromShape(filterShape), 2);
        const bs = randomArray(c.co, 3);
        const [expected] = await runOn('cpu', () => [
          tf.fused.conv2d({
            x: tf.tensor4d(xs, c.x),
            filter: tf.tensor4d(ws, filterShape),
            strides: 1,
            pad: c.pad,
            bias: relu ? tf.tensor1d(bs) : undefined,
            activation: relu ? 'relu' : 'linear',
          }),
        ]);
        await tf.setBackend('wasm');
        const backend = tf.backend() as BackendWasm;
        const kernels = simdKernels(backend);
        if (!kernels) throw new Error('our wasm kernels did not load');
        const g = convGeometry(c.x, filterShape, 1, c.pad);
        const actual = tf.tidy(() => {
          const x = tf.tensor4d(xs, c.x);
          const filter = tf.tensor4d(ws, filterShape);
          const bias = tf.tensor1d(bs);
          const at = (t: tf.TensorInfo) => heapOffset(backend, t);
          const sizes = kernels.winogradSizes(g, 5);
          const u = tf.zeros([sizes.filter]);
          const out = tf.zeros([g.batch, g.outHeight, g.outWidth, g.outChannels]);
          // A small block (5 tiles: rounded up to 8) so blocks, their rounding and the last partial one all run.
          const v = tf.zeros([sizes.v]);
          const m = tf.zeros([sizes.m]);
          kernels.winogradFilter({ filter: at(filter), u: at(u) }, g);
          kernels.winogradConv(
            { x: at(x), u: at(u), bias: relu ? at(bias) : 0, out: at(out), v: at(v), m: at(m) },
            g,
            relu,
            5,
          );
          return out.dataSync() as Float32Array;
        });
        expect(actual.length).toBe(expected?.length);
        expect(scaledMaxError(actual, expected as Float32Array)).toBeLessThan(TOLERANCE);
      });
    }
  }
});

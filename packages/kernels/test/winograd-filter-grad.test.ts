import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  conv2dBackpropFilter,
  filterGradBlockTiles,
  filterGradWinograd,
  winogradFilterGradFits,
} from '../src/conv2d-backprop-filter.js';
import { convGeometry } from '../src/geometry.js';
import { currentWasmKernels } from '../src/simd.js';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Bound on scaledMaxError for Winograd F(3x3, 4x4). Its float32 error is larger than the direct sum's: the
 * transforms scale values by up to 5 x 5 (B^T) before the products and by up to 4 x 4 (A^T) after, and each
 * output is a signed combination of 36 transformed sums larger than the result, so the rounding errors of those
 * sums (each ~sqrt(tiles) * 2^-24 of its terms) come back amplified, growing with the square root of the tiles
 * summed. Measured against a float64 sum, in units of the largest |dW|: 1e-7 to 1e-5 at these tests' sizes;
 * ResNet18's 3x3 layers at 128 px, batch 16 (16-1,024 tiles), and stage 1 at 224 px, batch 8, 5e-6 to 1.9e-5; a 16 -> 32-channel 'valid' layer at 64 px,
 * batch 32 (8,192 tiles), 3.2e-5; the direct kernel 1e-7 to 2e-6, the cpu backend ~4e-8. 1e-4 holds those with
 * 3x to spare and still fails on any wrong index, padding, coefficient or dropped block (errors of 1e-3 to 1).
 */
const TOLERANCE = 1e-4;

interface Case {
  x: [number, number, number, number];
  outChannels: number;
  pad: 'same' | 'valid';
}

// Output sizes that are and are not multiples of 4 (7, 13, 14, 29, 32, 56, and 4 and 6 for deep layers), batch 1
// and more, 4 to 512 channels each way, non-square images.
const cases: Case[] = [
  { x: [1, 7, 7, 4], outChannels: 8, pad: 'same' },
  { x: [2, 15, 15, 8], outChannels: 16, pad: 'valid' },
  { x: [3, 14, 14, 16], outChannels: 32, pad: 'same' },
  { x: [2, 31, 31, 16], outChannels: 32, pad: 'valid' },
  { x: [1, 32, 32, 32], outChannels: 16, pad: 'same' },
  { x: [1, 56, 56, 8], outChannels: 16, pad: 'same' },
  { x: [2, 9, 13, 8], outChannels: 16, pad: 'same' },
  { x: [3, 7, 7, 128], outChannels: 64, pad: 'same' },
  { x: [2, 4, 4, 512], outChannels: 64, pad: 'same' },
  { x: [1, 5, 5, 64], outChannels: 512, pad: 'valid' },
  { x: [1, 6, 6, 512], outChannels: 8, pad: 'valid' },
  { x: [2, 8, 8, 4], outChannels: 512, pad: 'same' },
  // Maps smaller than one tile (the compact network's last layers at small inputs).
  { x: [4, 1, 1, 128], outChannels: 128, pad: 'same' },
  { x: [4, 3, 3, 64], outChannels: 128, pad: 'same' },
  { x: [3, 2, 2, 8], outChannels: 16, pad: 'same' },
];

const label = (c: Case) => `x ${c.x.join('x')} -> ${c.outChannels} '${c.pad}'`;

function inputs(c: Case) {
  const g = convGeometry(c.x, [3, 3, c.x[3], c.outChannels], 1, c.pad);
  const dyShape: [number, number, number, number] = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  const xs = randomArray(tf.util.sizeFromShape(c.x), 11);
  const dys = randomArray(tf.util.sizeFromShape(dyShape), 12);
  return { g, make: () => ({ x: tf.tensor4d(xs, c.x), dy: tf.tensor4d(dys, dyShape) }) };
}

/** The cpu backend's own Conv2DBackpropFilter. */
function reference(c: Case) {
  const { make } = inputs(c);
  return runOn('cpu', () => {
    const { x, dy } = make();
    const attrs = { strides: 1, pad: c.pad, filterShape: [3, 3, c.x[3], c.outChannels], dataFormat: 'NHWC' };
    return [tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as never) as tf.Tensor];
  });
}

function winograd(c: Case, blockTiles?: number) {
  const { g, make } = inputs(c);
  return runOn('wasm', () => {
    const { x, dy } = make();
    const kernels = currentWasmKernels();
    if (!kernels) throw new Error('our wasm kernels did not load');
    return [filterGradWinograd(x, dy, g, kernels, tf.backend() as BackendWasm, blockTiles)];
  });
}

describe('Winograd F(3x3, 4x4) filter gradient (wasm/winograd-filter-grad.ts) matches the cpu backend', () => {
  beforeAll(readyBackends);

  for (const c of cases) {
    it(label(c), async () => {
      const [expected] = await reference(c);
      // One block of tiles (or as many as the layer needs), and blocks of 3 tiles: partial sums carried across
      // blocks, and a last block shorter than the others.
      for (const blockTiles of [undefined, 3]) {
        const [actual] = await winograd(c, blockTiles);
        expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
      }
    });
  }
});

describe('routing of Conv2DBackpropFilter to Winograd', () => {
  beforeAll(readyBackends);

  const geometry = (x: number[], filter: number[], stride = 1) => convGeometry(x, filter, stride, 'same');

  it('takes 3x3 stride-1 layers with enough channels, and leaves the rest to the direct kernels', () => {
    expect(winogradFilterGradFits(geometry([16, 32, 32, 64], [3, 3, 64, 64]))).toBe(true);
    expect(winogradFilterGradFits(geometry([16, 4, 4, 512], [3, 3, 512, 512]))).toBe(true);
    expect(winogradFilterGradFits(geometry([32, 31, 31, 32], [3, 3, 32, 64]))).toBe(true);
    expect(winogradFilterGradFits(geometry([16, 32, 32, 64], [3, 3, 64, 128], 2))).toBe(false);
    expect(winogradFilterGradFits(geometry([16, 32, 32, 64], [1, 1, 64, 128]))).toBe(false);
    expect(winogradFilterGradFits(geometry([16, 64, 64, 1], [7, 7, 1, 64]))).toBe(false);
    expect(winogradFilterGradFits(geometry([8, 32, 32, 6], [3, 3, 6, 64]))).toBe(false);
    expect(winogradFilterGradFits(geometry([8, 32, 32, 64], [3, 3, 64, 12]))).toBe(false);
    // Too few channels for the transforms to pay (measured slower: conv2d-backprop-filter.ts).
    expect(winogradFilterGradFits(geometry([8, 32, 32, 4], [3, 3, 4, 64]))).toBe(false);
    expect(winogradFilterGradFits(geometry([8, 32, 32, 64], [3, 3, 64, 8]))).toBe(false);
    expect(winogradFilterGradFits(geometry([8, 32, 32, 8], [3, 3, 8, 16]))).toBe(false);
  });

  it('runs the Winograd kernel for such a layer, and the direct kernel when told not to, with the same dW', async () => {
    const c: Case = { x: [2, 10, 10, 16], outChannels: 32, pad: 'same' };
    const { make } = inputs(c);
    const [expected] = await reference(c);
    for (const useWinograd of [true, false]) {
      await tf.setBackend('wasm');
      const kernels = currentWasmKernels();
      if (!kernels) throw new Error('our wasm kernels did not load');
      const spy = vi.spyOn(kernels, 'winogradFilterGrad');
      const [actual] = await runOn('wasm', () => {
        const { x, dy } = make();
        const attrs = {
          filterShape: [3, 3, 16, 32] as [number, number, number, number],
          strides: 1,
          pad: c.pad,
        };
        return [conv2dBackpropFilter(x, dy, attrs, undefined, useWinograd)];
      });
      expect(spy).toHaveBeenCalledTimes(useWinograd ? 1 : 0);
      spy.mockRestore();
      expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
    }
  });

  it('sizes blocks of tiles to the L2 budget, never fewer than 16 tiles', () => {
    // V and D of one tile: 36 points x (64 + 64) channels x 4 bytes = 18 kB.
    expect(filterGradBlockTiles(geometry([16, 32, 32, 64], [3, 3, 64, 64]), 18432 * 28)).toBe(28);
    expect(filterGradBlockTiles(geometry([16, 4, 4, 512], [3, 3, 512, 512]))).toBe(16);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilter } from '../src/conv2d-backprop-filter.js';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Bound on scaledMaxError. Each gradient element is a float32 sum of up to ~10^4 products here, summed in a
 * different order on each backend; the rounding error of such a sum is ~sqrt(K) * 2^-24 * max|term| in
 * practice (< 1e-5 for K = 10^4), and below K * 2^-24 (6e-4) in the worst case. Measured: < 5e-7.
 * 1e-4 leaves room for that while still failing on any wrong index, padding or flip (errors of order 1).
 */
const TOLERANCE = 1e-4;

export interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

export const cases: ConvCase[] = [
  { x: [1, 7, 7, 1], filter: [3, 3, 1, 4], stride: 1, pad: 'valid' },
  { x: [3, 8, 8, 3], filter: [3, 3, 3, 8], stride: 1, pad: 'valid' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 5], stride: 1, pad: 'same' },
  { x: [1, 10, 10, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [3, 10, 10, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { x: [2, 11, 11, 1], filter: [7, 7, 1, 8], stride: 2, pad: 'same' },
  { x: [2, 12, 12, 3], filter: [7, 7, 3, 4], stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 6], filter: [1, 1, 6, 4], stride: 2, pad: 'same' },
  { x: [1, 7, 7, 5], filter: [1, 1, 5, 3], stride: 1, pad: 'valid' },
  { x: [4, 6, 6, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  // One input channel (our direct kernel): a 16-channel SIMD block plus a scalar tail; non-square images.
  { x: [2, 10, 9, 1], filter: [3, 3, 1, 20], stride: 1, pad: 'valid' },
  { x: [2, 13, 12, 1], filter: [7, 7, 1, 32], stride: 2, pad: 'same' },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  // Channels our direct kernels tile (in multiple of 4, out multiple of 8): the forward pass, the input gradient
  // (a forward pass with the channels swapped) and the filter gradient all run on wasm/conv.ts and filter-grad.ts.
  // Rows of 9, 30 and 5 pixels end in a tile that overlaps the one before; rows of 3 go pixel by pixel.
  { x: [2, 9, 11, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'valid' },
  { x: [2, 5, 5, 8], filter: [3, 3, 8, 8], stride: 1, pad: 'valid' },
  { x: [1, 5, 30, 8], filter: [3, 3, 8, 24], stride: 1, pad: 'same' },
  { x: [1, 10, 10, 8], filter: [3, 3, 8, 8], stride: 2, pad: 'same' },
  { x: [3, 7, 13, 4], filter: [3, 3, 4, 8], stride: 2, pad: 'valid' },
  { x: [2, 14, 14, 16], filter: [1, 1, 16, 8], stride: 2, pad: 'same' },
  // Deep layers (3x3 over 96+ input channels: wasm/conv.ts sums the input channels in chunks of 56, the output
  // holding partial sums between chunks): an uneven last chunk, a row of 9 whose last tile overlaps (its first
  // pixels must not be stored twice), rows of 3 pixel by pixel, stride 2; the input gradient of a 128-output layer
  // is a deep forward pass too. Their dW are large enough to be summed over several images per pass.
  { x: [2, 7, 9, 128], filter: [3, 3, 128, 16], stride: 1, pad: 'same' },
  { x: [3, 6, 6, 128], filter: [3, 3, 128, 8], stride: 2, pad: 'same' },
  { x: [3, 6, 6, 96], filter: [3, 3, 96, 8], stride: 1, pad: 'valid' },
  { x: [2, 5, 6, 8], filter: [3, 3, 8, 128], stride: 1, pad: 'same' },
  { x: [5, 4, 4, 64], filter: [3, 3, 64, 128], stride: 1, pad: 'same' },
];

const label = (c: ConvCase) =>
  `x ${c.x.join('x')} filter ${c.filter.join('x')} stride ${c.stride} '${c.pad}'`;

/** dX and dW of sum(conv2d(x, W) * r): r is random, so dy is a dense random tensor, not all ones. */
export function convGrads(c: ConvCase, fused: boolean): () => tf.Tensor[] {
  const xs = randomArray(tf.util.sizeFromShape(c.x), 1);
  const ws = randomArray(tf.util.sizeFromShape(c.filter), 2);
  const bs = randomArray(c.filter[3], 3);
  return () => {
    const x = tf.tensor4d(xs, c.x);
    const w = tf.tensor4d(ws, c.filter);
    const b = tf.tensor1d(bs);
    const forward = (a: tf.Tensor4D, f: tf.Tensor4D, bias: tf.Tensor1D) =>
      fused
        ? tf.fused.conv2d({ x: a, filter: f, strides: c.stride, pad: c.pad, bias, activation: 'relu' })
        : tf.conv2d(a, f, c.stride, c.pad);
    const outShape = tf.tidy(() => forward(x, w, b).shape);
    const r = tf.tensor(randomArray(tf.util.sizeFromShape(outShape), 4), outShape);
    const loss = (a: tf.Tensor, f: tf.Tensor, bias?: tf.Tensor) =>
      tf.sum(tf.mul(forward(a as tf.Tensor4D, f as tf.Tensor4D, (bias ?? b) as tf.Tensor1D), r));
    return tf.grads(loss)(fused ? [x, w, b] : [x, w]);
  };
}

describe('Conv2D forward on wasm (our kernel where it tiles the channels) matches the cpu backend', () => {
  beforeAll(readyBackends);

  for (const c of cases) {
    it(label(c), async () => {
      const forward = (fused: boolean) => () => {
        const x = tf.tensor4d(randomArray(tf.util.sizeFromShape(c.x), 1), c.x);
        const filter = tf.tensor4d(randomArray(tf.util.sizeFromShape(c.filter), 2), c.filter);
        const bias = tf.tensor1d(randomArray(c.filter[3], 3));
        return [
          fused
            ? tf.fused.conv2d({ x, filter, bias, strides: c.stride, pad: c.pad, activation: 'relu' })
            : tf.conv2d(x, filter, c.stride, c.pad),
        ];
      };
      for (const fused of [false, true]) {
        const expected = await runOn('cpu', forward(fused));
        const actual = await runOn('wasm', forward(fused));
        expect(scaledMaxError(actual[0] as Float32Array, expected[0] as Float32Array)).toBeLessThan(
          TOLERANCE,
        );
      }
    });
  }
});

describe('Conv2D gradients on wasm match the cpu backend', () => {
  beforeAll(readyBackends);

  for (const c of cases) {
    it(label(c), async () => {
      const expected = await runOn('cpu', convGrads(c, false));
      const actual = await runOn('wasm', convGrads(c, false));
      expect(scaledMaxError(actual[0] as Float32Array, expected[0] as Float32Array)).toBeLessThan(TOLERANCE);
      expect(scaledMaxError(actual[1] as Float32Array, expected[1] as Float32Array)).toBeLessThan(TOLERANCE);
    });
  }

  it('fused conv2d with bias and relu (what tfjs-layers runs) matches too, bias gradient included', async () => {
    for (const c of [cases[1], cases[7], cases[8]] as ConvCase[]) {
      const expected = await runOn('cpu', convGrads(c, true));
      const actual = await runOn('wasm', convGrads(c, true));
      for (let i = 0; i < 3; i++) {
        expect(scaledMaxError(actual[i] as Float32Array, expected[i] as Float32Array)).toBeLessThan(
          TOLERANCE,
        );
      }
    }
  });
});

describe('the filter gradient as a matrix product', () => {
  beforeAll(readyBackends);

  it('sums image chunks when the patches would exceed the memory budget, and matches a single product', async () => {
    const xShape: [number, number, number, number] = [5, 9, 8, 3];
    const filterShape: [number, number, number, number] = [3, 3, 3, 4];
    const inputs = () => ({
      x: tf.tensor4d(randomArray(5 * 9 * 8 * 3, 5), xShape),
      dy: tf.tensor4d(randomArray(5 * 9 * 8 * 4, 6), [5, 9, 8, 4]),
    });
    // dW of sum(conv(x, W) * dy) is the filter gradient for that dy, whatever W is.
    const expected = await runOn('cpu', () => {
      const { x, dy } = inputs();
      const loss = (w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), dy));
      return [tf.grad(loss)(tf.zeros(filterShape))];
    });
    const ours = (budget?: number) => () => {
      const { x, dy } = inputs();
      return [conv2dBackpropFilter(x, dy, { filterShape, strides: 1, pad: 'same' }, budget)];
    };
    // 27 patch rows x 72 columns per image: a budget of two images makes chunks of 2, 2 and 1.
    const chunked = await runOn('wasm', ours(27 * 72 * 2));
    const whole = await runOn('wasm', ours());
    expect(scaledMaxError(chunked[0] as Float32Array, expected[0] as Float32Array)).toBeLessThan(TOLERANCE);
    expect(scaledMaxError(whole[0] as Float32Array, expected[0] as Float32Array)).toBeLessThan(TOLERANCE);
  });
});

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convMethod, prepareConv2d } from '../src/conv2d-forward.js';
import { convGeometry } from '../src/geometry.js';
import { heapOffset, simdKernels } from '../src/simd.js';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Bound on scaledMaxError for Winograd F(4x4, 3x3). The transforms' coefficients (up to 8 in A^T, 5 in B^T, 1/24
 * in G) make each output a sum of 36 x ci terms up to ~100x its own magnitude before they cancel, so float32
 * rounding costs a few bits more than the direct sum of 9 x ci products, growing with the input channels: measured
 * at most 1.45e-5 here (7x7x512 -> 512, inputs in [-1, 1)), 9.9e-6 at 256 channels, against 3.2e-6 for the direct
 * kernel on the same cases (both against the cpu backend's own float32 sums). 5e-5 leaves 3x room; a transform
 * coefficient off by 1 part in 5,000 (B^T's 5 as 5.001, A^T's 8 as 7.999) already fails it.
 */
const TOLERANCE = 5e-5;

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

/** Routed cases (tf.fused.conv2d and tf.conv2d on the wasm backend): deep layers, sizes of ResNet18's maps. */
const routedCases: Case[] = [
  { x: [2, 56, 56, 8], co: 8, pad: 'same' },
  { x: [1, 29, 29, 64], co: 64, pad: 'same' },
  { x: [2, 14, 14, 128], co: 256, pad: 'same' },
  { x: [1, 7, 7, 512], co: 512, pad: 'same' },
  { x: [3, 4, 4, 256], co: 128, pad: 'same' },
  { x: [2, 13, 13, 32], co: 16, pad: 'valid' },
];

function fusedOn(c: Case, relu: boolean, conv?: typeof tf.fused.conv2d) {
  const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.co];
  const xs = randomArray(tf.util.sizeFromShape(c.x), 1);
  const ws = randomArray(tf.util.sizeFromShape(filterShape), 2);
  const bs = randomArray(c.co, 3);
  return () => [
    (conv ?? tf.fused.conv2d)({
      x: tf.tensor4d(xs, c.x),
      filter: tf.tensor4d(ws, filterShape),
      strides: 1,
      pad: c.pad,
      bias: relu ? tf.tensor1d(bs) : undefined,
      activation: relu ? 'relu' : 'linear',
    }),
  ];
}

describe('3x3 stride-1 convolutions routed to Winograd', () => {
  beforeAll(readyBackends);

  for (const c of routedCases) {
    it(`forward: x ${c.x.join('x')} -> ${c.co} '${c.pad}' with and without bias + relu`, async () => {
      expect(convMethod(convGeometry(c.x, [3, 3, c.x[3], c.co], 1, c.pad))).toBe('winograd');
      for (const relu of [false, true]) {
        const [expected] = await runOn('cpu', fusedOn(c, relu));
        const [actual] = await runOn('wasm', fusedOn(c, relu));
        expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
      }
    }, 30_000);
  }

  it('leaves strided, 1x1, few-channel and dilated layers on the direct kernel', () => {
    const method = (x: number[], f: number[], stride: number) =>
      convMethod(convGeometry(x, f, stride, 'same'));
    expect(method([1, 8, 8, 64], [3, 3, 64, 64], 2)).toBe('direct');
    expect(method([1, 8, 8, 64], [1, 1, 64, 64], 1)).toBe('direct');
    expect(method([1, 8, 8, 4], [3, 3, 4, 64], 1)).toBe('direct');
    expect(method([1, 8, 8, 12], [3, 3, 12, 64], 1)).toBe('winograd');
  });

  // The stride-1 input gradient is tf.conv2d of dy by the flipped filter (conv2d-backprop-input.ts): with the
  // channels swapped, a 64 -> 32 layer's dX is a 32 -> 64 Winograd convolution.
  for (const c of [
    { x: [2, 14, 14, 64], co: 32, pad: 'same' },
    { x: [1, 13, 11, 16], co: 128, pad: 'valid' },
  ] as Case[]) {
    it(`input gradient: x ${c.x.join('x')} -> ${c.co} '${c.pad}'`, async () => {
      const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.co];
      const outShape = convGeometry(c.x, filterShape, 1, c.pad);
      expect(convMethod(convGeometry([1, 8, 8, c.co], [3, 3, c.co, c.x[3]], 1, 'same'))).toBe('winograd');
      const dyShape: [number, number, number, number] = [c.x[0], outShape.outHeight, outShape.outWidth, c.co];
      const ws = randomArray(tf.util.sizeFromShape(filterShape), 2);
      const dys = randomArray(tf.util.sizeFromShape(dyShape), 4);
      const dx = () => [
        tf.conv2dTranspose(tf.tensor4d(dys, dyShape), tf.tensor4d(ws, filterShape), c.x, 1, c.pad),
      ];
      const [expected] = await runOn('cpu', dx);
      const [actual] = await runOn('wasm', dx);
      expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
    }, 30_000);
  }
});

describe('prepareConv2d', () => {
  beforeAll(readyBackends);

  const prepared = (c: Case, stride: number, relu: boolean) => {
    const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.co];
    const xs = randomArray(tf.util.sizeFromShape(c.x), 5);
    const ws = randomArray(tf.util.sizeFromShape(filterShape), 6);
    const bs = randomArray(c.co, 7);
    return {
      reference: () => [
        tf.fused.conv2d({
          x: tf.tensor4d(xs, c.x),
          filter: tf.tensor4d(ws, filterShape),
          strides: stride,
          pad: c.pad,
          bias: relu ? tf.tensor1d(bs) : undefined,
          activation: relu ? 'relu' : 'linear',
        }),
      ],
      // Prepared once, applied twice (a second image batch): the held filter must survive the first call.
      ours: () => {
        const filter = tf.tensor4d(ws, filterShape);
        const conv = prepareConv2d(filter, { strides: stride, pad: c.pad });
        const bias = relu ? tf.tensor1d(bs) : undefined;
        const activation = relu ? 'relu' : 'linear';
        tf.dispose(conv.apply(tf.tensor4d(xs, c.x), bias, activation));
        const out = conv.apply(tf.tensor4d(xs, c.x), bias, activation);
        conv.dispose();
        return [out];
      },
    };
  };

  for (const [c, stride] of [
    [{ x: [2, 14, 14, 64], co: 64, pad: 'same' }, 1], // Winograd
    [{ x: [1, 9, 9, 16], co: 32, pad: 'valid' }, 2], // direct, padded input
    [{ x: [2, 8, 8, 4], co: 8, pad: 'same' }, 1], // direct: too few input channels for Winograd
    [{ x: [1, 6, 6, 8], co: 6, pad: 'same' }, 1], // output channels not ours: tf.fused.conv2d
  ] as [Case, number][]) {
    it(`answers tf.fused.conv2d's answer: x ${c.x.join('x')} -> ${c.co} stride ${stride} '${c.pad}'`, async () => {
      for (const relu of [false, true]) {
        const run = prepared(c, stride, relu);
        const [expected] = await runOn('cpu', run.reference);
        const [actual] = await runOn('wasm', run.ours);
        expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('holds nothing after dispose', async () => {
    await tf.setBackend('wasm');
    const filter = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    prepareConv2d(filter, { strides: 1, pad: 'same' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    filter.dispose();
  });
});

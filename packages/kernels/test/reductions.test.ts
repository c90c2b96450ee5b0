import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, readyBackends, runOn, scaledMaxError } from '../src/testing.js';

/**
 * Sums of up to ~4,000 float32 terms: the ones-row product accumulates in float32 (the cpu kernel in
 * float64), an error of ~sqrt(n) * 2^-24 relative to the largest partial sum, i.e. < 1e-5 here. 1e-4
 * still fails on a wrong axis or a missing 1/n (errors of order 1).
 */
const TOLERANCE = 1e-4;

const cases: { shape: number[]; axis: number[]; keepDims: boolean; why: string }[] = [
  { shape: [4, 9, 9, 8], axis: [0, 1, 2], keepDims: false, why: 'bias / batch-norm gradient' },
  { shape: [4, 9, 9, 8], axis: [0, 1, 2], keepDims: true, why: 'batch-norm moments' },
  { shape: [3, 7, 7, 5], axis: [1, 2], keepDims: false, why: 'global average pool' },
  { shape: [6, 10], axis: [0], keepDims: false, why: 'dense bias gradient' },
  { shape: [2, 5, 6, 3], axis: [3], keepDims: false, why: 'innermost: builtin path' },
  { shape: [2, 5, 6, 3], axis: [0, 2], keepDims: false, why: 'not contiguous: builtin path' },
  { shape: [2, 5, 6, 3], axis: [0, 1, 2, 3], keepDims: false, why: 'all axes: builtin path' },
];

describe('Sum and Mean on wasm match the cpu backend', () => {
  beforeAll(readyBackends);

  for (const c of cases) {
    for (const op of ['sum', 'mean'] as const) {
      it(`${op} of ${c.shape.join('x')} over [${c.axis}] keepDims ${c.keepDims} (${c.why})`, async () => {
        const values = randomArray(tf.util.sizeFromShape(c.shape), 21);
        const reduce = op === 'sum' ? tf.sum : tf.mean;
        const compute = () => [reduce(tf.tensor(values, c.shape), c.axis, c.keepDims)];
        const [expected] = await runOn('cpu', compute);
        const [actual] = await runOn('wasm', compute);
        const shapeOn = async (backend: string) => {
          await tf.setBackend(backend);
          return tf.tidy(() => compute()[0]?.shape);
        };
        expect(await shapeOn('wasm')).toEqual(await shapeOn('cpu'));
        expect(scaledMaxError(actual as Float32Array, expected as Float32Array)).toBeLessThan(TOLERANCE);
      });
    }
  }

  it('leaves int32 sums to the builtin kernel, exact', async () => {
    const compute = () => [
      tf.cast(
        tf.sum(
          tf.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          0,
        ),
        'float32',
      ),
    ];
    expect(Array.from((await runOn('wasm', compute))[0] as Float32Array)).toEqual([4, 6]);
  });
});

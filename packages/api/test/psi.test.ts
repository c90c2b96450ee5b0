import { describe, expect, it } from 'vitest';
import { driftReport } from '../src/predictions/drift.js';
import { classProportions, proportions, psi } from '../src/predictions/psi.js';
import type { PredictionRecord } from '../src/predictions/record.js';

describe('PSI', () => {
  it('is zero for identical distributions and matches a hand computation otherwise', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    const expected = (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.6 - 0.5) * Math.log(0.6 / 0.5);
    expect(psi([0.5, 0.5], [0.4, 0.6])).toBeCloseTo(expected, 12);
  });

  it('stays finite when a bin is empty', () => {
    expect(Number.isFinite(psi([0.5, 0.5], [1, 0]))).toBe(true);
    expect(psi([0.5, 0.5], [1, 0])).toBeGreaterThan(1);
  });

  it('bins values by edges, counting values outside the range in the end bins', () => {
    expect(proportions([-1, 0.1, 0.5, 0.6, 2], [0, 0.5, 1])).toEqual([0.4, 0.6]);
    expect(classProportions({ a: 1, b: 3 }, ['a', 'b', 'c'])).toEqual([0.25, 0.75, 0]);
  });
});

describe('driftReport', () => {
  const reference = {
    classCounts: { a: 50, b: 50 },
    features: {
      mean: { edges: [0, 0.5, 1], proportions: [0.5, 0.5] },
      std: { edges: [0, 1], proportions: [1] },
    },
  };
  const config = { window: 100, minSamples: 4, psiThreshold: 0.2 };
  const records = (predicted: string[], means: number[]): PredictionRecord[] =>
    predicted.map((name, i) => ({
      time: '',
      modelVersion: 'v',
      predicted: name,
      confidence: 1,
      image: { mean: means[i] ?? 0, std: 0.5, bytes: 1 },
    }));

  it('reports no drift for a window that matches the reference', () => {
    const report = driftReport(
      records(['a', 'b', 'a', 'b'], [0.2, 0.7, 0.3, 0.8]),
      reference,
      ['a', 'b'],
      config,
    );
    expect(report).toMatchObject({ status: 'ok', drift: false, samples: 4 });
    expect(report.classes?.psi).toBe(0);
  });

  it('names what drifted: the class mix and the image mean', () => {
    const report = driftReport(
      records(['a', 'a', 'a', 'a'], [0.9, 0.9, 0.8, 0.7]),
      reference,
      ['a', 'b'],
      config,
    );
    expect(report.status).toBe('drift');
    expect(report.classes?.drift).toBe(true);
    expect(report.features?.mean?.drift).toBe(true);
    expect(report.features?.std?.drift).toBe(false);
    expect(report.message).toBe('Drift detected in class distribution, image mean (PSI above 0.2).');
  });
});

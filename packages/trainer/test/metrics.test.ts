import { describe, expect, it } from 'vitest';
import { classificationReport, rocAuc, rocCurve } from '../src/metrics/classification.js';

// Eight predictions over three classes, worked out by hand below.
const classes = ['a', 'b', 'c'];
const labels = [0, 0, 0, 1, 1, 2, 2, 2];
// biome-ignore format: one row per prediction
const probs = [
  0.7, 0.2, 0.1, // a -> a
  0.4, 0.5, 0.1, // a -> b
  0.6, 0.3, 0.1, // a -> a
  0.2, 0.7, 0.1, // b -> b
  0.1, 0.3, 0.6, // b -> c
  0.1, 0.1, 0.8, // c -> c
  0.3, 0.3, 0.4, // c -> c
  0.5, 0.2, 0.3, // c -> a
];

describe('classificationReport on a fixed prediction set', () => {
  const report = classificationReport(labels, probs, classes);

  it('counts the confusion matrix with true classes as rows', () => {
    expect(report.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 2],
    ]);
    expect(report.accuracy).toBeCloseTo(5 / 8, 12);
    expect(report.count).toBe(8);
  });

  it('computes per-class precision, recall, F1 and support', () => {
    expect(report.perClass.a).toMatchObject({ support: 3 });
    expect(report.perClass.a?.precision).toBeCloseTo(2 / 3, 12);
    expect(report.perClass.a?.recall).toBeCloseTo(2 / 3, 12);
    expect(report.perClass.b?.precision).toBeCloseTo(1 / 2, 12);
    expect(report.perClass.b?.f1).toBeCloseTo(1 / 2, 12);
    expect(report.perClass.c?.recall).toBeCloseTo(2 / 3, 12);
  });

  it('averages them, macro and weighted by support', () => {
    expect(report.macro.precision).toBeCloseTo(11 / 18, 12);
    expect(report.macro.f1).toBeCloseTo(11 / 18, 12);
    expect(report.weighted.recall).toBeCloseTo(5 / 8, 12);
    expect(report.weighted.f1).toBeCloseTo(5 / 8, 12);
  });

  it('computes one-vs-rest ROC-AUC as the pairwise ranking probability, ties counted half', () => {
    expect(report.perClass.a?.rocAuc).toBeCloseTo(14 / 15, 12);
    expect(report.perClass.b?.rocAuc).toBeCloseTo(10 / 12, 12);
    expect(report.perClass.c?.rocAuc).toBeCloseTo(13 / 15, 12);
    expect(report.macro.rocAuc).toBeCloseTo((14 / 15 + 10 / 12 + 13 / 15) / 3, 12);
    expect(report.weighted.rocAuc).toBeCloseTo((3 * (14 / 15) + 2 * (10 / 12) + 3 * (13 / 15)) / 8, 12);
  });

  it('computes the mean cross-entropy of the true class', () => {
    const pTrue = [0.7, 0.4, 0.6, 0.7, 0.3, 0.8, 0.4, 0.3];
    expect(report.loss).toBeCloseTo(-pTrue.reduce((s, p) => s + Math.log(p), 0) / 8, 6);
  });
});

describe('ROC curve', () => {
  it('steps once per distinct threshold, diagonally through ties', () => {
    const scores = [0.2, 0.5, 0.3, 0.7, 0.3, 0.1, 0.3, 0.2];
    const positives = [false, false, false, true, true, false, false, false];
    const curve = rocCurve(scores, positives);
    expect(curve?.tpr).toEqual([0, 0.5, 0.5, 1, 1, 1]);
    expect(curve?.fpr.map((x) => Number(x.toFixed(6)))).toEqual([0, 0, 0.166667, 0.5, 0.833333, 1]);
  });

  it('is undefined without positives or negatives, and 1 or 0 for perfect rankings', () => {
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
    expect(rocAuc([0.9, 0.1], [true, false])).toBe(1);
    expect(rocAuc([0.1, 0.9], [true, false])).toBe(0);
  });

  it('gives precision 0 to a class never predicted, and a null average AUC when a class has no samples', () => {
    const r = classificationReport([0, 0], [0.9, 0.1, 0.8, 0.2], ['x', 'y']);
    expect(r.perClass.y).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0, rocAuc: null });
    expect(r.macro.rocAuc).toBeNull();
    expect(r.weighted.precision).toBe(1);
  });
});

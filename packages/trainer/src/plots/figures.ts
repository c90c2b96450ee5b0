/** The figure files of a run or an evaluation, written as PNG into one folder. */
import { join } from 'node:path';
import { type ClassificationReport, columnOf, type RocCurve, rocCurve } from '../metrics/classification.js';
import { confusionSpec, curvesSpec, type EpochPoint, rocSpec } from './charts.js';
import { renderPng } from './render.js';

export async function writeCurves(dir: string, history: readonly EpochPoint[]): Promise<string[]> {
  const files = [join(dir, 'loss.png'), join(dir, 'accuracy.png')];
  await renderPng(curvesSpec(history, 'loss'), files[0] as string);
  await renderPng(curvesSpec(history, 'accuracy'), files[1] as string);
  return files;
}

/** Confusion matrix and one-vs-rest ROC curves of a set of predictions. */
export async function writeEvaluationFigures(
  dir: string,
  report: ClassificationReport,
  labels: ArrayLike<number>,
  probs: Float32Array,
): Promise<string[]> {
  const k = report.classNames.length;
  const curves: Record<string, RocCurve | null> = {};
  const aucs: Record<string, number | null> = {};
  report.classNames.forEach((name, c) => {
    curves[name] = rocCurve(
      columnOf(probs, k, c),
      Array.from(labels, (y) => y === c),
    );
    aucs[name] = report.perClass[name]?.rocAuc ?? null;
  });
  const files = [join(dir, 'confusion_matrix.png'), join(dir, 'roc.png')];
  await renderPng(confusionSpec(report.confusion, report.classNames), files[0] as string);
  await renderPng(rocSpec(curves, aucs), files[1] as string);
  return files;
}

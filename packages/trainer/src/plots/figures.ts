/** The figure files of a run or an evaluation, written as PNG into one folder. */
import { join } from 'node:path';
import { confusionSpec, curvesSpec, type EpochPoint, rocSpec } from '@mri/charts';
import { type ClassificationReport, columnOf, type RocCurve, rocCurve } from '../metrics/classification.js';
import { renderPng } from './render.js';

export async function writeCurves(dir: string, history: readonly EpochPoint[]): Promise<string[]> {
  const figures = ['loss', 'accuracy', 'f1'] as const;
  const files = figures.map((figure) => join(dir, `${figure}.png`));
  for (const [i, figure] of figures.entries())
    await renderPng(curvesSpec(history, figure), files[i] as string);
  return files;
}

/** One-vs-rest ROC curve of every class: the figure's data, also kept in evaluation.json for the dashboard. */
export function rocCurves(
  report: ClassificationReport,
  labels: ArrayLike<number>,
  probs: Float32Array,
): Record<string, RocCurve | null> {
  const k = report.classNames.length;
  return Object.fromEntries(
    report.classNames.map((name, c) => [
      name,
      rocCurve(
        columnOf(probs, k, c),
        Array.from(labels, (y) => y === c),
      ),
    ]),
  );
}

/** Confusion matrix and one-vs-rest ROC curves of a set of predictions. */
export async function writeEvaluationFigures(
  dir: string,
  report: ClassificationReport,
  curves: Readonly<Record<string, RocCurve | null>>,
): Promise<string[]> {
  const aucs = Object.fromEntries(
    report.classNames.map((name) => [name, report.perClass[name]?.rocAuc ?? null]),
  );
  const files = [join(dir, 'confusion_matrix.png'), join(dir, 'roc.png')];
  await renderPng(confusionSpec(report.confusion, report.classNames), files[0] as string);
  await renderPng(rocSpec(curves, aucs), files[1] as string);
  return files;
}

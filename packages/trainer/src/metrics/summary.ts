/** A classification report flattened to the figures people compare runs on, rounded for reading. */
import type { ClassificationReport } from './classification.js';

export function headlineMetrics(report: ClassificationReport, prefix: string): Record<string, number | null> {
  return {
    [`${prefix}_accuracy`]: report.accuracy,
    [`${prefix}_loss`]: report.loss,
    [`${prefix}_macro_precision`]: report.macro.precision,
    [`${prefix}_macro_recall`]: report.macro.recall,
    [`${prefix}_macro_f1`]: report.macro.f1,
    [`${prefix}_weighted_f1`]: report.weighted.f1,
    [`${prefix}_macro_roc_auc`]: report.macro.rocAuc,
  };
}

export function rounded<T>(value: T, digits = 6): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(digits)) : v)),
  );
}

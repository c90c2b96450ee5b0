/** A classification report flattened to the figures people compare runs on, rounded for reading. */
import { argmaxRows, type ClassificationReport } from './classification.js';
import { accuracyInterval } from './interval.js';

/**
 * The headline figures of one split. With the split's labels and probabilities, accuracy also gets its 95 %
 * interval (`_accuracy_low`, `_accuracy_high`), resampling near-copy groups as units (interval.ts).
 */
export function headlineMetrics(
  report: ClassificationReport,
  prefix: string,
  split?: { labels: Int32Array; probabilities: Float32Array; groupOf?: Int32Array | undefined },
): Record<string, number | null> {
  const interval = split
    ? accuracyInterval(
        Array.from(
          argmaxRows(split.probabilities, report.classNames.length),
          (predicted, i) => predicted === split.labels[i],
        ),
        split.groupOf,
      )
    : undefined;
  return {
    [`${prefix}_accuracy`]: report.accuracy,
    ...(interval
      ? { [`${prefix}_accuracy_low`]: interval.low, [`${prefix}_accuracy_high`]: interval.high }
      : {}),
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

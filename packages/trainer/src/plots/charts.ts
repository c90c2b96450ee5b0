/** The trainer's charts, each a Vega-Lite spec built from plain numbers. */
import type { TopLevelSpec } from 'vega-lite';
import type { RocCurve } from '../metrics/classification.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface EpochPoint {
  readonly epoch: number;
  readonly train_loss: number;
  readonly train_accuracy: number;
  readonly val_loss: number;
  readonly val_accuracy: number;
}

/** Train and validation curves of one figure (loss or accuracy) over epochs. */
export function curvesSpec(history: readonly EpochPoint[], figure: 'loss' | 'accuracy'): TopLevelSpec {
  const values = history.flatMap((p) => [
    { epoch: p.epoch, split: 'train', value: figure === 'loss' ? p.train_loss : p.train_accuracy },
    { epoch: p.epoch, split: 'validation', value: figure === 'loss' ? p.val_loss : p.val_accuracy },
  ]);
  return {
    $schema: SCHEMA,
    title: figure === 'loss' ? 'Loss per epoch' : 'Accuracy per epoch',
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: figure,
        ...(figure === 'accuracy' ? { scale: { domain: [0, 1] } } : {}),
      },
      color: { field: 'split', type: 'nominal', title: null },
    },
  };
}

export function confusionSpec(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
): TopLevelSpec {
  const values = confusion.flatMap((row, t) =>
    row.map((count, p) => ({ actual: classNames[t], predicted: classNames[p], count })),
  );
  const encodeAxes = {
    x: { field: 'predicted', type: 'nominal', sort: [...classNames], axis: { labelAngle: 0 } },
    y: { field: 'actual', type: 'nominal', sort: [...classNames] },
  } as const;
  return {
    $schema: SCHEMA,
    title: 'Confusion matrix',
    width: 320,
    height: 320,
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...encodeAxes,
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } },
        },
      },
      {
        mark: { type: 'text', fontSize: 14 },
        encoding: {
          ...encodeAxes,
          text: { field: 'count', type: 'quantitative' },
          color: {
            condition: { test: `datum.count > ${maxOf(confusion) / 2}`, value: 'white' },
            value: 'black',
          },
        },
      },
    ],
  };
}

export function rocSpec(
  curves: Readonly<Record<string, RocCurve | null>>,
  aucs: Readonly<Record<string, number | null>>,
): TopLevelSpec {
  const values = Object.entries(curves).flatMap(([name, curve]) => {
    if (!curve) return [];
    const label = `${name} (AUC ${(aucs[name] ?? 0).toFixed(3)})`;
    return curve.fpr.map((fpr, i) => ({ class: label, fpr, tpr: curve.tpr[i], order: i }));
  });
  return {
    $schema: SCHEMA,
    title: 'ROC, one class against the rest',
    width: 320,
    height: 320,
    layer: [
      {
        data: {
          values: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
        },
        mark: { type: 'line', color: '#bbb', strokeDash: [4, 4] },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
          order: { field: 'order', type: 'quantitative' },
          color: {
            field: 'class',
            type: 'nominal',
            title: null,
            legend: { orient: 'bottom-right', labelLimit: 0 },
          },
        },
      },
    ],
  };
}

export function embeddingSpec(
  points: readonly { x: number; y: number; label: string }[],
  title: string,
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 420,
    height: 420,
    data: { values: [...points] },
    mark: { type: 'circle', size: 30, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null },
      y: { field: 'y', type: 'quantitative', axis: null },
      color: { field: 'label', type: 'nominal', title: 'class' },
    },
  };
}

function maxOf(m: readonly (readonly number[])[]): number {
  return Math.max(0, ...m.flat());
}

export interface TradeoffPoint {
  readonly name: string;
  readonly seconds: number;
  readonly score: number;
}

/** Wall time against a metric, one labelled point per run: the sweep's time-versus-accuracy view. */
export function tradeoffSpec(points: readonly TradeoffPoint[], metric: string): TopLevelSpec {
  const values = points.map((p) => ({ ...p, minutes: p.seconds / 60 }));
  return {
    $schema: SCHEMA,
    title: `${metric} against training time`,
    width: 480,
    height: 300,
    data: { values },
    encoding: {
      x: { field: 'minutes', type: 'quantitative', title: 'wall time (minutes)', scale: { zero: true } },
      y: { field: 'score', type: 'quantitative', title: metric, scale: { zero: false } },
    },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 80 },
        encoding: { color: { field: 'name', type: 'nominal', legend: null } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 11 },
        encoding: { text: { field: 'name' } },
      },
    ],
  };
}

/**
 * The product's charts, each a Vega-Lite spec built from plain numbers. The trainer renders them to PNG files; the
 * dashboard renders the same specs in the browser, so each chart is specified once. Nothing here may import Node.
 */
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface EpochPoint {
  readonly epoch: number;
  readonly train_loss: number;
  readonly train_accuracy: number;
  readonly val_loss: number;
  readonly val_accuracy: number;
  /** Recorded by every run since the metric existed; older histories lack it. */
  readonly val_macro_f1?: number;
}

export interface RocCurve {
  readonly fpr: readonly number[];
  readonly tpr: readonly number[];
}

export type CurveFigure = 'loss' | 'accuracy' | 'f1';

const figureTitles: Record<CurveFigure, { title: string; axis: string }> = {
  loss: { title: 'Loss per epoch', axis: 'loss' },
  accuracy: { title: 'Accuracy per epoch', axis: 'accuracy' },
  f1: { title: 'Validation macro-F1 per epoch', axis: 'macro-F1' },
};

/** The series one figure draws for one epoch: train and validation, or validation only (F1). */
function seriesOf(p: EpochPoint, figure: CurveFigure): { split: string; value: number }[] {
  if (figure === 'loss')
    return [
      { split: 'train', value: p.train_loss },
      { split: 'validation', value: p.val_loss },
    ];
  if (figure === 'accuracy')
    return [
      { split: 'train', value: p.train_accuracy },
      { split: 'validation', value: p.val_accuracy },
    ];
  return p.val_macro_f1 === undefined ? [] : [{ split: 'validation', value: p.val_macro_f1 }];
}

function curveEncoding(figure: CurveFigure, colorField: string) {
  return {
    x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
    y: {
      field: 'value',
      type: 'quantitative',
      title: figureTitles[figure].axis,
      ...(figure === 'loss' ? {} : { scale: { domain: [0, 1] } }),
    },
    color: { field: colorField, type: 'nominal', title: null, legend: { labelLimit: 0 } },
  } as const;
}

/** Train and validation curves of one figure (loss, accuracy, or validation macro-F1) over epochs. */
export function curvesSpec(history: readonly EpochPoint[], figure: CurveFigure): TopLevelSpec {
  const values = history.flatMap((p) => seriesOf(p, figure).map((s) => ({ epoch: p.epoch, ...s })));
  return {
    $schema: SCHEMA,
    title: figureTitles[figure].title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: curveEncoding(figure, 'split'),
  };
}

/** One validation figure of several runs over epochs, one line per run: the comparison view. */
export function comparedCurvesSpec(
  runs: readonly { readonly name: string; readonly history: readonly EpochPoint[] }[],
  figure: CurveFigure,
): TopLevelSpec {
  const values = runs.flatMap((run) =>
    run.history.flatMap((p) => {
      const validation = seriesOf(p, figure).find((s) => s.split === 'validation');
      return validation ? [{ run: run.name, epoch: p.epoch, value: validation.value }] : [];
    }),
  );
  return {
    $schema: SCHEMA,
    title: `Validation ${figureTitles[figure].title.replace('Validation ', '').toLowerCase()}`,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: curveEncoding(figure, 'run'),
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

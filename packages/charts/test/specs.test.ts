import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { comparedCurvesSpec, confusionSpec, curvesSpec, type EpochPoint, rocSpec } from '../src/index.js';

const history: EpochPoint[] = [
  { epoch: 1, train_loss: 1.2, train_accuracy: 0.4, val_loss: 1.1, val_accuracy: 0.5, val_macro_f1: 0.45 },
  { epoch: 2, train_loss: 0.8, train_accuracy: 0.7, val_loss: 0.9, val_accuracy: 0.65, val_macro_f1: 0.6 },
];

function valuesOf(spec: TopLevelSpec): Record<string, unknown>[] {
  const data = (spec as { data?: { values?: Record<string, unknown>[] } }).data;
  return data?.values ?? [];
}

describe('chart specs', () => {
  it('draws train and validation loss, and validation F1 alone', () => {
    expect(valuesOf(curvesSpec(history, 'loss'))).toEqual([
      { epoch: 1, split: 'train', value: 1.2 },
      { epoch: 1, split: 'validation', value: 1.1 },
      { epoch: 2, split: 'train', value: 0.8 },
      { epoch: 2, split: 'validation', value: 0.9 },
    ]);
    expect(valuesOf(curvesSpec(history, 'f1')).map((v) => [v.split, v.value])).toEqual([
      ['validation', 0.45],
      ['validation', 0.6],
    ]);
  });

  it('leaves out F1 for a history recorded before the metric existed', () => {
    const old = history.map(({ val_macro_f1: _, ...rest }) => rest);
    expect(valuesOf(curvesSpec(old, 'f1'))).toEqual([]);
    expect(valuesOf(comparedCurvesSpec([{ name: 'a', history: old }], 'f1'))).toEqual([]);
  });

  it('overlays one validation line per run', () => {
    const spec = comparedCurvesSpec(
      [
        { name: 'run a', history },
        { name: 'run b', history: history.slice(0, 1) },
      ],
      'accuracy',
    );
    expect(valuesOf(spec)).toEqual([
      { run: 'run a', epoch: 1, value: 0.5 },
      { run: 'run a', epoch: 2, value: 0.65 },
      { run: 'run b', epoch: 1, value: 0.5 },
    ]);
  });

  it('compiles every spec to Vega without warnings', () => {
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      error: (...args: unknown[]) => warnings.push(args.join(' ')),
      warn: (...args: unknown[]) => warnings.push(args.join(' ')),
      info: () => logger,
      debug: () => logger,
    };
    const specs = [
      curvesSpec(history, 'accuracy'),
      comparedCurvesSpec([{ name: 'a', history }], 'loss'),
      confusionSpec(
        [
          [3, 1],
          [0, 4],
        ],
        ['glioma', 'notumor'],
      ),
      rocSpec(
        { glioma: { fpr: [0, 0.5, 1], tpr: [0, 0.9, 1] }, notumor: null },
        { glioma: 0.9, notumor: null },
      ),
    ];
    for (const spec of specs) expect(compile(spec, { logger: logger as never }).spec).toBeTruthy();
    expect(warnings).toEqual([]);
  });
});

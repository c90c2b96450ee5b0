/**
 * GET /drift's judgement: the recent window of predictions against the training reference carried in the model's
 * metadata. One PSI for the predicted-class distribution, one per input feature the reference has a histogram
 * for (per-image mean and std); drift is detected when any of them crosses the threshold.
 */
import type { TrainingReference } from '@mri/model';
import type { DriftConfig } from '../config.js';
import { classProportions, proportions, psi } from './psi.js';
import type { PredictionRecord } from './record.js';

export interface DriftCheck {
  readonly psi: number;
  readonly drift: boolean;
  readonly expected: readonly number[];
  readonly observed: readonly number[];
}

export interface DriftReport {
  readonly status: 'ok' | 'drift' | 'insufficient_data' | 'no_reference';
  readonly drift: boolean;
  readonly message: string;
  readonly samples: number;
  readonly window: number;
  readonly threshold: number;
  readonly classes?: DriftCheck & { readonly names: readonly string[] };
  readonly features?: Readonly<Record<string, DriftCheck & { readonly edges: readonly number[] }>>;
}

const FEATURES: Record<string, (record: PredictionRecord) => number> = {
  mean: (record) => record.image.mean,
  std: (record) => record.image.std,
};

export function driftReport(
  records: readonly PredictionRecord[],
  reference: TrainingReference | undefined,
  classNames: readonly string[],
  config: DriftConfig,
): DriftReport {
  const base = { samples: records.length, window: config.window, threshold: config.psiThreshold };
  if (!reference) {
    return {
      ...base,
      status: 'no_reference',
      drift: false,
      message:
        "The model's metadata has no trainingReference, so drift cannot be measured; retrain to record one.",
    };
  }
  if (records.length < config.minSamples) {
    return {
      ...base,
      status: 'insufficient_data',
      drift: false,
      message: `${records.length} predictions so far; drift is judged from ${config.minSamples} on.`,
    };
  }
  const check = (expected: number[], observed: number[]): DriftCheck => {
    const value = psi(expected, observed);
    return { psi: round(value), drift: value > config.psiThreshold, expected, observed };
  };
  const observedCounts: Record<string, number> = {};
  for (const record of records)
    observedCounts[record.predicted] = (observedCounts[record.predicted] ?? 0) + 1;
  const classes = {
    names: classNames,
    ...check(
      classProportions(reference.classCounts, classNames),
      classProportions(observedCounts, classNames),
    ),
  };
  const features: Record<string, DriftCheck & { edges: readonly number[] }> = {};
  for (const [name, histogram] of Object.entries(reference.features)) {
    const extract = FEATURES[name];
    if (!extract) continue;
    const observed = proportions(records.map(extract), histogram.edges);
    features[name] = { edges: histogram.edges, ...check(histogram.proportions, observed) };
  }
  const drifted = [classes.drift ? 'class distribution' : undefined]
    .concat(Object.entries(features).map(([name, result]) => (result.drift ? `image ${name}` : undefined)))
    .filter((name): name is string => name !== undefined);
  return {
    ...base,
    status: drifted.length > 0 ? 'drift' : 'ok',
    drift: drifted.length > 0,
    message:
      drifted.length > 0
        ? `Drift detected in ${drifted.join(', ')} (PSI above ${config.psiThreshold}).`
        : `No drift: every PSI is at or below ${config.psiThreshold}.`,
    classes,
    features,
  };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

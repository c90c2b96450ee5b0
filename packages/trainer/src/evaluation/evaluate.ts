/** `pnpm evaluate`: a model (folder, version or alias) on one split: metrics JSON and figures in a new folder. */
import { join } from 'node:path';
import type { Logger } from '@mri/logging';
import { loadClassifier } from '@mri/model';
import { resolveModel } from '@mri/registry';
import type { TrainConfig } from '../config/index.js';
import { writeJson } from '../files.js';
import { type ClassificationReport, classificationReport } from '../metrics/classification.js';
import { headlineMetrics, rounded } from '../metrics/summary.js';
import { rocCurves, writeEvaluationFigures } from '../plots/figures.js';
import { predictSplit } from '../train/predict.js';
import { loadSplit } from './split-data.js';
import type { SplitName } from './splits.js';

export interface EvaluateOptions {
  readonly model: string;
  readonly split: SplitName;
  readonly config: TrainConfig;
  readonly outDir: string;
  readonly log: Logger;
}

export interface EvaluationResult {
  readonly model_dir: string;
  readonly split: SplitName;
  readonly out_dir: string;
  readonly metrics: Record<string, number | null>;
  readonly report: ClassificationReport;
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvaluationResult> {
  const { config, log } = options;
  const { dir: modelDir } = await resolveModel(options.model, { registryUrl: config.registry.url });
  const classifier = await loadClassifier(modelDir, { backend: config.backend });
  try {
    const { metadata } = classifier;
    const split = await loadSplit(config, metadata.preprocessing, metadata.classNames, options.split, log);
    log.info(
      { modelDir, split: options.split, images: split.count, backend: classifier.backend },
      'evaluating',
    );
    const probs = await predictSplit(
      classifier.predict,
      split,
      metadata.inputSize,
      metadata.classNames.length,
    );
    const report = classificationReport(split.labels, probs, metadata.classNames);
    const metrics = headlineMetrics(report, options.split === 'validation' ? 'val' : options.split, {
      labels: split.labels,
      probabilities: probs,
      groupOf: split.groupOf,
    });
    const roc = rocCurves(report, split.labels, probs);
    writeJson(
      join(options.outDir, 'metrics.json'),
      rounded({ model_dir: modelDir, split: options.split, ...report, roc }),
    );
    await writeEvaluationFigures(join(options.outDir, 'figures'), report, roc);
    return rounded({ model_dir: modelDir, split: options.split, out_dir: options.outDir, metrics, report });
  } finally {
    classifier.dispose();
  }
}

/** After the loop: the curves, the best epoch's evaluation report and figures, and the profile when there is one. */
import { join } from 'node:path';
import type { Logger } from '@mri/logging';
import { RUN_FILES } from '@mri/run-records';
import { writeJson } from '../files.js';
import { classificationReport } from '../metrics/classification.js';
import { headlineMetrics, rounded } from '../metrics/summary.js';
import { rocCurves, writeCurves, writeEvaluationFigures } from '../plots/figures.js';
import type { PreparedData } from './data.js';
import type { LoopResult } from './loop.js';
import type { RunProfiler } from './profile.js';

/** Writes figures/ and evaluation.json; returns the headline validation metrics of the best epoch. */
export async function writeReports(
  runDir: string,
  data: PreparedData,
  result: LoopResult,
  profiler: RunProfiler | undefined,
  log: Logger,
): Promise<Record<string, number | null>> {
  const figures = join(runDir, RUN_FILES.figures);
  let metrics: Record<string, number | null> = {};
  if (result.history.length > 0) await writeCurves(figures, result.history);
  if (result.bestProbabilities) {
    const report = classificationReport(data.validation.labels, result.bestProbabilities, data.classNames);
    const roc = rocCurves(report, data.validation.labels, result.bestProbabilities);
    await writeEvaluationFigures(figures, report, roc);
    metrics = {
      ...headlineMetrics(report, 'val', {
        labels: data.validation.labels,
        probabilities: result.bestProbabilities,
        groupOf: data.validation.groupOf,
      }),
      best_epoch: result.bestEpoch,
    };
    writeJson(join(runDir, RUN_FILES.evaluation), rounded({ split: 'validation', ...report, roc }));
  }
  if (profiler) {
    const rows = await profiler.finish(runDir);
    log.info({ top: rows.slice(0, 5) }, 'profile written: profile.cpuprofile, kernels.md');
  }
  return metrics;
}

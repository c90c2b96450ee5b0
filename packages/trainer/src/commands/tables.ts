/** What a person at a terminal reads when a command ends: its result as a short table (JSON stays for machines). */
import { relative } from 'node:path';
import type { ClassificationReport } from '../metrics/classification.js';
import { REPO_ROOT } from '../paths.js';
import type { LeaderboardRow } from '../sweep/leaderboard.js';
import type { TrainSummary } from '../train/run.js';
import type { PredictSummary } from './predict.js';

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : `${(value * 100).toFixed(1)} %`;
const fixed = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined ? '' : value.toFixed(digits);

/** `1 h 02 min`, `3 min 07 s`, `42 s`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A path as the user would type it: relative to the repository when inside it. */
const shown = (path: string) => (path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path);

export function trainTable(summary: TrainSummary): Record<string, string | number> {
  const m = summary.metrics;
  const interval =
    m.val_accuracy_low !== undefined && m.val_accuracy_high !== undefined
      ? ` (95 % CI ${percent(m.val_accuracy_low)} to ${percent(m.val_accuracy_high)})`
      : '';
  return {
    status: summary.status.replace('_', ' '),
    epochs: summary.epochs,
    'best epoch': summary.best_epoch ?? '',
    'val accuracy': `${percent(m.val_accuracy)}${interval}`,
    'val macro F1': fixed(m.val_macro_f1),
    'val loss': fixed(m.val_loss),
    'val macro ROC AUC': fixed(m.val_macro_roc_auc),
    time: duration(summary.seconds),
    model: summary.model_version ?? (summary.model_dir ? shown(summary.model_dir) : 'none'),
    'run folder': shown(summary.run_dir),
  };
}

/** One row per class, then the macro and weighted averages. */
export function reportTable(report: ClassificationReport): Record<string, Record<string, string | number>> {
  const row = (
    s: { precision: number; recall: number; f1: number; rocAuc?: number | null },
    images: number,
  ) => ({
    precision: fixed(s.precision),
    recall: fixed(s.recall),
    F1: fixed(s.f1),
    'ROC AUC': fixed(s.rocAuc ?? null),
    images,
  });
  return {
    ...Object.fromEntries(Object.entries(report.perClass).map(([name, s]) => [name, row(s, s.support)])),
    'macro average': row(report.macro, report.count),
    'weighted average': row(report.weighted, report.count),
  };
}

export function leaderboardTable(
  rows: readonly LeaderboardRow[],
  metric: string,
): Record<string, string | number>[] {
  return rows.map((r) => ({
    rank: r.rank,
    name: r.name ?? r.overrides.join(' '),
    [metric]: fixed(r.score, 4),
    status: r.status.replace('_', ' '),
    time: duration(r.seconds),
  }));
}

export function predictTable(summary: PredictSummary): Record<string, string | number> {
  return {
    source: shown(summary.source),
    model: shown(summary.model),
    shard: summary.shard,
    predicted: summary.predicted,
    'already done': summary.skipped_done,
    'bad files': summary.failed.length,
    speed: `${summary.images_per_second.toFixed(1)} img/s`,
    time: duration(summary.seconds),
    written: shown(summary.out),
  };
}

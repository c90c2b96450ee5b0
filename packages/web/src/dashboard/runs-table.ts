// The runs list's filter and sort, as plain functions of the rows so they are tested without a browser.
import type { RunSummary } from './records.js';

export type SortKey =
  | 'startedAt'
  | 'status'
  | 'network'
  | 'val_accuracy'
  | 'val_macro_f1'
  | 'val_loss'
  | 'seconds';
export type SortDirection = 'ascending' | 'descending';

export interface RunsQuery {
  /** Words that must all appear in the run's id, network, status, data hash or a config value. */
  text: string;
  status: string;
  sort: SortKey;
  direction: SortDirection;
}

export const defaultQuery: RunsQuery = {
  text: '',
  status: 'all',
  sort: 'startedAt',
  direction: 'descending',
};

function haystack(run: RunSummary): string {
  const values = Object.entries(run.config).map(([key, value]) => `${key}=${String(value)}`);
  return [run.id, run.network, run.status, run.dataHash ?? '', run.modelVersion ?? '', ...values]
    .join(' ')
    .toLowerCase();
}

function sortValue(run: RunSummary, key: SortKey): string | number | null {
  if (key === 'startedAt') return run.startedAt ?? run.id;
  if (key === 'status' || key === 'network') return run[key];
  if (key === 'seconds') return run.seconds;
  return run.metrics[key] ?? null;
}

export function selectRuns(runs: readonly RunSummary[], query: RunsQuery): RunSummary[] {
  const words = query.text.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = runs.filter(
    (run) =>
      (query.status === 'all' || run.status === query.status) &&
      words.every((word) => haystack(run).includes(word)),
  );
  const sign = query.direction === 'ascending' ? 1 : -1;
  return kept.sort((a, b) => {
    const x = sortValue(a, query.sort);
    const y = sortValue(b, query.sort);
    // Runs without the figure (failed, still running) go last whichever way the column is sorted.
    if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0);
    return sign * (x < y ? -1 : x > y ? 1 : 0);
  });
}

export function statusesOf(runs: readonly RunSummary[]): string[] {
  return [...new Set(runs.map((run) => run.status))].sort();
}

/** The config values worth a column: what people change between runs. */
export const KEY_CONFIG = [
  'data.image_size',
  'training.epochs',
  'training.batch_size',
  'optimizer.name',
  'optimizer.lr',
] as const;

/** Config keys whose values are not the same in every given run (the rest is noise in a comparison). */
export function differingKeys(configs: readonly Record<string, unknown>[]): string[] {
  const keys = new Set(configs.flatMap((config) => Object.keys(config)));
  return [...keys]
    .filter((key) => new Set(configs.map((config) => JSON.stringify(config[key] ?? null))).size > 1)
    .sort();
}

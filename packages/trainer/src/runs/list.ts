/**
 * `pnpm runs`: every run under the output folder with its key metrics and, side by side, the config keys whose
 * values differ between the listed runs (keys every run shares are noise in a comparison).
 */
import { relative } from 'node:path';
import { readRunFolder } from '@mri/run-records';

export interface RunRow {
  readonly run: string;
  readonly status: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly seconds: number;
  readonly model_version: string | null;
  readonly config: Readonly<Record<string, unknown>>;
}

const METRIC_COLUMNS = ['val_accuracy', 'val_macro_f1', 'val_loss', 'best_epoch'];

/** The row of run folder `dir`, named relative to `outputDir`; undefined while it is being written or if damaged. */
export function readRun(dir: string, outputDir: string): RunRow | undefined {
  const record = readRunFolder(dir);
  if (record === undefined) return undefined;
  return {
    run: relative(outputDir, dir),
    status: record.status,
    metrics: record.metrics,
    seconds: record.seconds ?? 0,
    model_version: record.modelVersion,
    config: record.config,
  };
}

/** Config keys whose value is not the same in every run. */
export function differingKeys(rows: readonly RunRow[]): string[] {
  const keys = new Set(rows.flatMap((r) => Object.keys(r.config)));
  return [...keys].filter((k) => new Set(rows.map((r) => JSON.stringify(r.config[k]))).size > 1).sort();
}

export function runsTable(rows: readonly RunRow[], configKeys: readonly string[]): string {
  const header = ['run', 'status', ...METRIC_COLUMNS, 'seconds', 'model', ...configKeys];
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v);
  const body = rows.map((r) => [
    r.run,
    r.status,
    ...METRIC_COLUMNS.map((m) => cell(r.metrics[m])),
    cell(Math.round(r.seconds)),
    r.model_version ?? '',
    ...configKeys.map((k) => cell(r.config[k])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

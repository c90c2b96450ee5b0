/**
 * `pnpm runs`: every run under the output folder with its key metrics and, side by side, the config keys whose
 * values differ between the listed runs (keys every run shares are noise in a comparison).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isTree, type Tree } from '../config/tree.js';
import { runStatus } from './status.js';

export interface RunRow {
  readonly run: string;
  readonly status: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly seconds: number;
  readonly model_version: string | null;
  readonly config: Readonly<Record<string, unknown>>;
}

const METRIC_COLUMNS = ['val_accuracy', 'val_macro_f1', 'val_loss', 'best_epoch'];

export function findRuns(outputDir: string, maxDepth = 5): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'metrics.json')) && existsSync(join(dir, 'config.yaml'))) found.push(dir);
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'model' && entry.name !== 'figures')
        walk(join(dir, entry.name), depth - 1);
    }
  };
  if (existsSync(outputDir)) walk(outputDir, maxDepth);
  return found.sort();
}

export function readRun(dir: string, outputDir: string): RunRow | undefined {
  try {
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    const config = parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8'));
    return {
      run: relative(outputDir, dir),
      status: runStatus(metrics),
      metrics: metrics.metrics ?? {},
      seconds: Number(metrics.seconds ?? 0),
      model_version: metrics.model_version ?? null,
      config: flatten(isTree(config) ? config : {}),
    };
  } catch {
    return undefined; // a run still being written, or damaged: not listed
  }
}

export function flatten(tree: Tree, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) Object.assign(out, flatten(value, path));
    else out[path] = value;
  }
  return out;
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

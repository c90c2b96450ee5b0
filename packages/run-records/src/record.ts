/**
 * What a run folder holds and how a reader takes it: config.yaml (the composed config), metrics.json (status,
 * timings, final metrics, history; rewritten whole while the run lives) and evaluation.json, figures/ and model/
 * beside them. A folder is a run once it has both config.yaml and metrics.json. Reading never throws: a run still
 * being written, or damaged, reads as undefined and is left out of listings.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runStatus } from './status.js';

/** The names inside a run folder. */
export const RUN_FILES = {
  config: 'config.yaml',
  metrics: 'metrics.json',
  evaluation: 'evaluation.json',
  figures: 'figures',
  model: 'model',
} as const;

/** A run as every reader shows it. */
export interface RunRecord {
  /** metrics.json's status, `interrupted` for a running run that is gone (`runStatus`). */
  readonly status: string;
  /** The config's `model.architecture`, when it names one. */
  readonly architecture: string | null;
  readonly seconds: number | null;
  readonly epochs: number | null;
  /** The final metrics; a value that is not a finite number reads as null. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly history: readonly Readonly<Record<string, unknown>>[];
  readonly dataHash: string | null;
  readonly configHash: string | null;
  readonly modelVersion: string | null;
  readonly error: string | null;
  /** The config as dotted keys (`optimizer.lr`). */
  readonly config: Readonly<Record<string, unknown>>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (bytes: string | Uint8Array) =>
  typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');

/** A JSON object (metrics.json, evaluation.json, leaderboard.json), or undefined when it is not one. */
export function parseJsonRecord(bytes: string | Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text(bytes));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A run's metrics.json on disk, or undefined when it is missing or not a JSON object. */
export function readMetricsFile(runDir: string): Record<string, unknown> | undefined {
  try {
    return parseJsonRecord(readFileSync(join(runDir, RUN_FILES.metrics)));
  } catch {
    return undefined;
  }
}

/** A nested config as dotted keys (`optimizer.lr`), the form the override grammar and the comparisons use. */
export function flattenConfig(tree: Readonly<Record<string, unknown>>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRecord(value)) Object.assign(out, flattenConfig(value, path));
    else out[path] = value;
  }
  return out;
}

/** Finite numbers kept, anything else null: a metrics table never shows a string or NaN as a score. */
export function numbers(value: unknown): Record<string, number | null> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null]),
  );
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);

/** A run from the bytes of its metrics.json and config.yaml; undefined when either is missing or unreadable. */
export function parseRun(
  metricsBytes: string | Uint8Array | undefined,
  configBytes: string | Uint8Array | undefined,
  now = Date.now(),
): RunRecord | undefined {
  if (metricsBytes === undefined || configBytes === undefined) return undefined;
  const metrics = parseJsonRecord(metricsBytes);
  if (metrics === undefined) return undefined;
  let tree: unknown;
  try {
    tree = parseYaml(text(configBytes));
  } catch {
    return undefined;
  }
  const config = flattenConfig(isRecord(tree) ? tree : {});
  return {
    status: runStatus(metrics, now),
    architecture: stringOrNull(config['model.architecture']),
    seconds: numberOrNull(metrics.seconds),
    epochs: numberOrNull(metrics.epochs),
    metrics: numbers(metrics.metrics),
    history: Array.isArray(metrics.history) ? metrics.history.filter(isRecord) : [],
    dataHash: stringOrNull(metrics.data_hash),
    configHash: stringOrNull(metrics.config_hash),
    modelVersion: stringOrNull(metrics.model_version),
    error: stringOrNull(metrics.error),
    config,
  };
}

/** The run in folder `runDir` on disk (see parseRun). */
export function readRunFolder(runDir: string, now = Date.now()): RunRecord | undefined {
  const read = (name: string) => {
    try {
      return readFileSync(join(runDir, name));
    } catch {
      return undefined;
    }
  };
  return parseRun(read(RUN_FILES.metrics), read(RUN_FILES.config), now);
}

/** Whether a folder whose file names `has` answers for is a run folder. */
export function isRunFolder(has: (name: string) => boolean): boolean {
  return has(RUN_FILES.metrics) && has(RUN_FILES.config);
}

/**
 * Run folders under `outputDir` on disk, `maxDepth` levels deep at the most, sorted by path (the dated layout sorts
 * oldest first). A run's own model/ and figures/ are not searched.
 */
export function findRunFolders(outputDir: string, maxDepth = 5): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (isRunFolder((name) => existsSync(join(dir, name)))) found.push(dir);
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== RUN_FILES.model && entry.name !== RUN_FILES.figures)
        walk(join(dir, entry.name), depth - 1);
    }
  };
  if (existsSync(outputDir)) walk(outputDir, maxDepth);
  return found.sort();
}

/** Run ids (folder paths, `/`-separated) among the keys of a blob store's listing, sorted by path. */
export function runIdsAmong(keys: readonly string[]): string[] {
  const files = new Set(keys);
  const dirs = new Set(
    keys.filter((k) => k === RUN_FILES.metrics || k.endsWith(`/${RUN_FILES.metrics}`)).map(parentOf),
  );
  return [...dirs].filter((id) => id !== '' && isRunFolder((name) => files.has(`${id}/${name}`))).sort();
}

const parentOf = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf('/')));

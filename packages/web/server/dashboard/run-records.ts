/**
 * Runs and sweeps as the trainer leaves them in its output store (a folder or gs://, the trainer's `output_dir` or
 * `upload_url`): one folder per run with config.yaml, metrics.json and evaluation.json; a sweep folder with
 * leaderboard.json beside its runs. Read only; a run still being written or damaged is left out, never an error.
 */
import { posix } from 'node:path';
import type { BlobStore } from '@mri/storage';
import { parse as parseYaml } from 'yaml';
import type { RunDetail, RunSummary, SweepBoard } from '../../src/dashboard/records.js';
import { runStatus } from './run-status.js';

/** Above this many runs the list keeps the newest: the page stays quick on a bucket with years of runs. */
export const MAX_RUNS = 500;

const FIGURE = /^[a-z0-9_-]+\.png$/;

async function readJson(store: BlobStore, key: string): Promise<Record<string, unknown> | null> {
  const bytes = await store.read(key).catch(() => undefined);
  if (!bytes) return null;
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested config as dotted keys (`optimizer.lr`), the form the override grammar and the comparison use. */
export function flattenConfig(tree: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRecord(value)) Object.assign(out, flattenConfig(value, path));
    else out[path] = value;
  }
  return out;
}

function numbers(value: unknown): Record<string, number | null> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null]),
  );
}

/** `2026-12-04/11-50-00` (the run folder's name) as an ISO time, when the folder follows the dated layout. */
export function startedAt(id: string): string | null {
  const match = /(\d{4}-\d{2}-\d{2})\/(\d{2})-(\d{2})-(\d{2})(?:-\d+)?(?:\/|$)/.exec(id);
  return match ? `${match[1]}T${match[2]}:${match[3]}:${match[4]}` : null;
}

export class RunRecords {
  constructor(readonly store: BlobStore) {}

  /** Every run folder's id (its path in the store), newest first by name. */
  async runIds(): Promise<string[]> {
    const keys = await this.store.list('');
    const configs = new Set(keys.filter((k) => k.endsWith('config.yaml')).map((k) => posix.dirname(k)));
    return keys
      .filter((k) => posix.basename(k) === 'metrics.json' && configs.has(posix.dirname(k)))
      .map((k) => posix.dirname(k))
      .filter((id) => id !== '.')
      .sort()
      .reverse()
      .slice(0, MAX_RUNS);
  }

  async list(): Promise<RunSummary[]> {
    const ids = await this.runIds();
    const runs = await Promise.all(ids.map((id) => this.summary(id)));
    return runs.filter((run): run is RunSummary => run !== null);
  }

  async summary(id: string): Promise<RunSummary | null> {
    const [metrics, configText] = await Promise.all([
      readJson(this.store, `${id}/metrics.json`),
      this.store.read(`${id}/config.yaml`).catch(() => undefined),
    ]);
    if (metrics === null || !configText) return null;
    let config: unknown;
    try {
      config = parseYaml(Buffer.from(configText).toString('utf8'));
    } catch {
      return null;
    }
    const flat = flattenConfig(isRecord(config) ? config : {});
    const sweep = /^(.*sweeps\/[^/]+\/[^/]+)\/[^/]+$/.exec(id)?.[1] ?? null;
    return {
      id,
      status: runStatus(metrics),
      network: typeof flat['model.architecture'] === 'string' ? flat['model.architecture'] : 'unknown',
      startedAt: startedAt(id),
      seconds: typeof metrics.seconds === 'number' ? metrics.seconds : null,
      epochs: typeof metrics.epochs === 'number' ? metrics.epochs : null,
      metrics: numbers(metrics.metrics),
      dataHash: typeof metrics.data_hash === 'string' ? metrics.data_hash : null,
      configHash: typeof metrics.config_hash === 'string' ? metrics.config_hash : null,
      modelVersion: typeof metrics.model_version === 'string' ? metrics.model_version : null,
      error: typeof metrics.error === 'string' ? metrics.error : null,
      sweep,
      config: flat,
    };
  }

  async detail(id: string): Promise<RunDetail | null> {
    const summary = await this.summary(id);
    if (summary === null) return null;
    const [metrics, evaluation, keys] = await Promise.all([
      readJson(this.store, `${id}/metrics.json`),
      readJson(this.store, `${id}/evaluation.json`),
      this.store.list(`${id}/figures/`),
    ]);
    const history = Array.isArray(metrics?.history) ? metrics.history.filter(isRecord) : [];
    return {
      ...summary,
      history: history as unknown as RunDetail['history'],
      evaluation: evaluation as RunDetail['evaluation'],
      figures: keys.map((k) => posix.basename(k)).filter((name) => FIGURE.test(name)),
    };
  }

  /** A run's PNG figure, or undefined when there is none by that name. */
  async figure(id: string, name: string): Promise<Uint8Array | undefined> {
    if (!FIGURE.test(name)) return undefined;
    return this.store.read(`${id}/figures/${name}`).catch(() => undefined);
  }

  async sweeps(): Promise<SweepBoard[]> {
    const keys = (await this.store.list('')).filter((k) => posix.basename(k) === 'leaderboard.json');
    const boards = await Promise.all(
      keys
        .sort()
        .reverse()
        .map(async (key): Promise<SweepBoard | null> => {
          const board = await readJson(this.store, key);
          if (board === null || !Array.isArray(board.runs)) return null;
          const id = posix.dirname(key);
          return {
            id,
            startedAt: startedAt(id),
            metric: typeof board.metric === 'string' ? board.metric : 'score',
            rows: board.runs.filter(isRecord).map((row) => ({
              rank: typeof row.rank === 'number' ? row.rank : 0,
              score: typeof row.score === 'number' ? row.score : null,
              overrides: Array.isArray(row.overrides) ? row.overrides.map(String) : [],
              status: typeof row.status === 'string' ? row.status : 'unknown',
              seconds: typeof row.seconds === 'number' ? row.seconds : null,
              // The leaderboard records where the run was written; its folder name inside the sweep is the run.
              run:
                typeof row.run_dir === 'string'
                  ? `${id}/${posix.basename(row.run_dir.replaceAll('\\', '/'))}`
                  : null,
              metrics: numbers(row.metrics),
            })),
          };
        }),
    );
    return boards.filter((board): board is SweepBoard => board !== null);
  }
}

/**
 * Runs and sweeps as the trainer leaves them in its output store (a folder or gs://, the trainer's `output_dir` or
 * `upload_url`): one folder per run with config.yaml, metrics.json and evaluation.json; a sweep folder with
 * leaderboard.json beside its runs. Read only; a run still being written or damaged is left out, never an error.
 */
import { posix } from 'node:path';
import {
  isRecord,
  LEADERBOARD_FILE,
  numbers,
  parseJsonRecord,
  parseRun,
  RUN_FILES,
  runIdsAmong,
  startedAt,
  sweepOf,
} from '@mri/run-records';
import type { BlobStore } from '@mri/storage';
import type { RunDetail, RunSummary, SweepBoard } from '../../src/dashboard/records.js';

/** Above this many runs the list keeps the newest: the page stays quick on a bucket with years of runs. */
export const MAX_RUNS = 500;

const FIGURE = /^[a-z0-9_-]+\.png$/;

async function readJson(store: BlobStore, key: string): Promise<Record<string, unknown> | null> {
  const bytes = await store.read(key).catch(() => undefined);
  return (bytes && parseJsonRecord(bytes)) ?? null;
}

export class RunRecords {
  constructor(readonly store: BlobStore) {}

  /** Every run folder's id (its path in the store), newest first by name. */
  async runIds(): Promise<string[]> {
    return runIdsAmong(await this.store.list(''))
      .reverse()
      .slice(0, MAX_RUNS);
  }

  async list(): Promise<RunSummary[]> {
    const ids = await this.runIds();
    const runs = await Promise.all(ids.map((id) => this.summary(id)));
    return runs.filter((run): run is RunSummary => run !== null);
  }

  async summary(id: string): Promise<RunSummary | null> {
    return (await this.read(id))?.summary ?? null;
  }

  async detail(id: string): Promise<RunDetail | null> {
    const run = await this.read(id);
    if (run === null) return null;
    const [evaluation, keys] = await Promise.all([
      readJson(this.store, `${id}/${RUN_FILES.evaluation}`),
      this.store.list(`${id}/${RUN_FILES.figures}/`),
    ]);
    return {
      ...run.summary,
      history: run.history as unknown as RunDetail['history'],
      evaluation: evaluation as RunDetail['evaluation'],
      figures: keys.map((k) => posix.basename(k)).filter((name) => FIGURE.test(name)),
    };
  }

  private async read(id: string): Promise<{ summary: RunSummary; history: readonly unknown[] } | null> {
    const [metrics, config] = await Promise.all(
      [RUN_FILES.metrics, RUN_FILES.config].map((name) =>
        this.store.read(`${id}/${name}`).catch(() => undefined),
      ),
    );
    const record = parseRun(metrics, config);
    if (record === undefined) return null;
    const { architecture, history, ...fields } = record;
    return {
      summary: {
        id,
        ...fields,
        network: architecture ?? 'unknown',
        startedAt: startedAt(id),
        sweep: sweepOf(id),
      },
      history,
    };
  }

  /** A run's PNG figure, or undefined when there is none by that name. */
  async figure(id: string, name: string): Promise<Uint8Array | undefined> {
    if (!FIGURE.test(name)) return undefined;
    return this.store.read(`${id}/${RUN_FILES.figures}/${name}`).catch(() => undefined);
  }

  async sweeps(): Promise<SweepBoard[]> {
    const keys = (await this.store.list('')).filter((k) => posix.basename(k) === LEADERBOARD_FILE);
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

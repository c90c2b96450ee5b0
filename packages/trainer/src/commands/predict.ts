/**
 * `pnpm predict <folder | gs://bucket/prefix> --model REF --out FILE.jsonl|.csv [--shard i/n] [--workers N]`: batch
 * prediction with serving's preprocessing and engine, one worker thread per core, a progress bar, resumable (a rerun
 * skips the files already in FILE), bad files listed with their reason and never fatal. Sharding defaults to Cloud
 * Run Jobs' task index and count, so the same image runs as a job of N tasks, each writing its own FILE.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createProgress, printResult } from '@mri/logging';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isUserError } from '../errors.js';
import type { ImageResult } from '../lifecycle/classify-images.js';
import { fromRepo } from '../paths.js';
import { openPredictionWriter } from '../predict/output.js';
import { openImageSource, shardOf } from '../predict/sources.js';
import { resolveModelRef } from '../registry/resolve-ref.js';

const BATCH = 16;

export interface PredictSummary {
  readonly source: string;
  readonly out: string;
  readonly shard: string;
  readonly model: string;
  readonly images: number;
  readonly skipped_done: number;
  readonly predicted: number;
  readonly failed: { file: string; reason: string }[];
  readonly seconds: number;
  readonly images_per_second: number;
}

export interface PredictOptions {
  readonly source: string;
  readonly model: string;
  readonly out: string;
  readonly shard?: string;
  readonly workers?: number;
  readonly registryUrl?: string;
}

export async function predict(options: PredictOptions): Promise<PredictSummary> {
  const started = performance.now();
  const shard = shardOf(options.shard, process.env);
  const modelDir = await resolveModelRef(options.model, options.registryUrl);
  const source = openImageSource(options.source);
  const mine = (await source.list()).filter((_, i) => i % shard.count === shard.index);
  const threads = Math.max(
    1,
    Math.min(options.workers ?? availableParallelism(), Math.ceil(mine.length / BATCH) || 1),
  );
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(new URL('../predict/worker-bootstrap.mjs', import.meta.url), { workerData: { modelDir } }),
  );
  try {
    const classNames = await Promise.all(workers.map(ready)).then((names) => names[0] as string[]);
    const writer = openPredictionWriter(fromRepo(options.out), classNames);
    const todo = mine.filter((key) => !writer.done.has(key));
    const failed: { file: string; reason: string }[] = [];
    const progress = createProgress();
    progress.start(todo.length, 'predict');
    let next = 0;
    let finished = 0;
    const runWorker = async (worker: Worker) => {
      while (next < todo.length) {
        const keys = todo.slice(next, next + BATCH);
        next += keys.length;
        const images = await Promise.all(keys.map((key) => source.read(key)));
        const results = await classify(worker, images);
        results.forEach((result, i) => {
          const key = keys[i] as string;
          writer.write(key, result);
          if (!result.ok) failed.push({ file: key, reason: result.reason });
        });
        finished += keys.length;
        const seconds = (performance.now() - started) / 1000;
        progress.update(finished, {
          'img/s': (finished / seconds).toFixed(1),
          failed: String(failed.length),
        });
      }
    };
    await Promise.all(workers.map(runWorker));
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    return {
      source: source.url,
      out: options.out,
      shard: `${shard.index}/${shard.count}`,
      model: modelDir,
      images: mine.length,
      skipped_done: mine.length - todo.length,
      predicted: todo.length - failed.length,
      failed,
      seconds: Math.round(seconds * 100) / 100,
      images_per_second: Math.round((todo.length / seconds) * 10) / 10,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function ready(worker: Worker): Promise<string[]> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { type: string; classNames: string[] }) => resolve(message.classNames));
  });
}

let ids = 0;
function classify(worker: Worker, images: Uint8Array[]): Promise<ImageResult[]> {
  const id = ids++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; id: number; results: ImageResult[] }) => {
      if (message.type !== 'result' || message.id !== id) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message.results);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ id, images });
  });
}

async function main(): Promise<void> {
  const args = await yargs(hideBin(process.argv))
    .scriptName('pnpm predict')
    .usage('$0 <source> --model REF --out FILE')
    .positional('source', { type: 'string', describe: 'a folder of images or gs://bucket/prefix' })
    .option('model', {
      type: 'string',
      default: 'production',
      describe: 'a registry version, alias or model folder',
    })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'predictions file, .jsonl or .csv (appended, resumable)',
    })
    .option('shard', {
      type: 'string',
      describe: 'i/n: this task predicts file k when k mod n = i (default: Cloud Run task)',
    })
    .option('workers', { type: 'number', describe: 'worker threads (default: one per core)' })
    .option('registry', {
      type: 'string',
      describe: 'registry folder or gs://bucket/prefix (default: registry.url)',
    })
    .demandCommand(1, 'Name a folder or gs://bucket/prefix to predict.')
    .strict()
    .version(false)
    .parseAsync();
  const summary = await predict({
    source: String(args._[0]),
    model: args.model,
    out: args.out,
    ...(args.shard && { shard: args.shard }),
    ...(args.workers && { workers: args.workers }),
    ...(args.registry && { registryUrl: args.registry }),
  });
  for (const bad of summary.failed) process.stderr.write(`skipped ${bad.file}: ${bad.reason}\n`);
  const { predictTable } = await import('./tables.js');
  printResult(summary, { title: 'Predictions written', table: predictTable(summary) });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    const named =
      error instanceof Error && ['RegistryError', 'StorageError', 'DatasetError'].includes(error.name);
    process.stderr.write(
      isUserError(error) || named ? `error: ${(error as Error).message}\n` : `${(error as Error).stack}\n`,
    );
    process.exit(1);
  });
}

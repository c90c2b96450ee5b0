/**
 * `pnpm bench:serve`: this service and the reference (FastAPI + uvicorn + PyTorch, ../shared/anchors) side by side
 * in the same run, each under the same load: 20 connections POSTing a real MRI JPEG. Both servers stay up and the
 * load alternates between them in rounds, so background load on a shared machine falls on both alike.
 * Three comparisons: the same architecture on both sides (the reference's simple CNN at 224), each side's default
 * model, and ResNet18 at 224 on both sides (the network the reference deployed). Prints one line per comparison, then the figures and ratios as JSON on the last line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_IMAGE_SIZE } from '@mri/data';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type LoadResult, loadTest } from './load.js';
import { buildBenchModel } from './models.js';
import {
  freePort,
  launch,
  peakRssMb,
  REPO,
  type RunningServer,
  SERVE_FLAGS,
  settle,
  stop,
} from './servers.js';

const argv = await yargs(hideBin(process.argv))
  .option('connections', { type: 'number', default: 20 })
  .option('duration', {
    type: 'number',
    default: 15,
    describe: 'Seconds of load per server, over all rounds.',
  })
  .option('rounds', { type: 'number', default: 3, describe: 'Alternations between the two servers.' })
  .option('warmup', { type: 'number', default: 2, describe: 'Seconds of load before measuring.' })
  .option('anchors', { type: 'string', default: resolve(REPO, '../shared/anchors') })
  .option('image', { type: 'string', describe: 'A real MRI JPEG; defaults to the first sample test image.' })
  .option('only', { choices: ['same-architecture', 'default-model', 'resnet18'] as const })
  .option('model', {
    type: 'string',
    describe:
      "A trained model folder for the default-model comparison (e.g. a run's model/); defaults to an untrained network of the default architecture and input size.",
  })
  .strict()
  .parse();

interface Side extends LoadResult {
  readonly first_answer_ms: number;
  readonly peak_rss_mb: number;
  readonly mean_batch_size?: number;
}

const image = readFileSync(argv.image ?? firstSampleImage());
const work = mkdtempSync(join(tmpdir(), 'bench-serve-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function launchOurs(modelDir: string): Promise<RunningServer> {
  const port = await freePort();
  // Exactly what `pnpm serve` runs (see the root package.json), minus pnpm itself.
  return launch('ours', process.execPath, [...SERVE_FLAGS, 'packages/api/serve.mjs'], {
    cwd: REPO,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      MODEL: modelDir,
      PREDICTION_LOG: join(work, 'predictions'),
      // All load comes from one address; the per-client limit would answer 429s, and the reference has none.
      RATE_LIMIT_PER_MINUTE: '0',
    },
    classifyUrl: `http://127.0.0.1:${port}/classify`,
    image,
  });
}

async function launchReference(model: 'simple' | 'resnet18'): Promise<RunningServer> {
  if (!existsSync(join(argv.anchors, 'seed_backend.py'))) {
    throw new Error(`The reference is not at ${argv.anchors}; pass --anchors DIR (see its README).`);
  }
  const port = await freePort();
  const args = ['-m', 'uvicorn', 'seed_backend:app', '--host', '127.0.0.1', '--port', String(port)];
  return launch('reference', '/usr/bin/python3', args, {
    cwd: argv.anchors,
    env: { MODEL: model },
    classifyUrl: `http://127.0.0.1:${port}/classify/`,
    image,
  });
}

/** Loads the two servers in alternating rounds; each side's figure is the median over its rounds. */
async function race(a: RunningServer, b: RunningServer): Promise<[Side, Side]> {
  const rounds: [LoadResult[], LoadResult[]] = [[], []];
  const seconds = Math.max(1, Math.round(argv.duration / argv.rounds));
  for (const server of [a, b]) {
    if (argv.warmup > 0) await loadTest(server.url, image, argv.connections, argv.warmup);
    await settle(server, image);
  }
  for (let round = 0; round < argv.rounds; round++) {
    for (const [index, server] of [a, b].entries()) {
      const result = await loadTest(server.url, image, argv.connections, seconds);
      log(`  round ${round + 1} ${server.name}: ${JSON.stringify(result)}`);
      rounds[index]?.push(result);
      // Requests cut off at the end of a round are still queued in the server; let it finish them before the
      // other side's round, so one side's backlog never eats into the other's time.
      await settle(server, image);
    }
  }
  const side = (server: RunningServer, results: LoadResult[]): Side => ({
    rps: median(results.map((r) => r.rps)),
    p50_ms: median(results.map((r) => r.p50_ms)),
    p99_ms: median(results.map((r) => r.p99_ms)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    first_answer_ms: server.firstAnswerMs,
    peak_rss_mb: peakRssMb(server.child.pid),
  });
  return [{ ...side(a, rounds[0]), ...(await batchSizes(a)) }, side(b, rounds[1])];
}

/**
 * The batches our service formed over the run (warm-up included), from its `inference_batch_size` histogram: how
 * many images shared each forward pass is what the batching settings decide and what a heavy model's speed hangs on.
 */
async function batchSizes(server: RunningServer): Promise<{ mean_batch_size?: number }> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  const mean = value('inference_batch_size_sum') / value('inference_batch_size_count');
  return Number.isFinite(mean) ? { mean_batch_size: round(mean) } : {};
}

async function comparison(name: string, modelDir: string, referenceModel: 'simple' | 'resnet18') {
  const servers: RunningServer[] = [];
  try {
    servers.push(await launchOurs(modelDir));
    servers.push(await launchReference(referenceModel));
    const [a, b] = servers as [RunningServer, RunningServer];
    return compare(name, ...(await race(a, b)));
  } finally {
    await Promise.all(servers.map(stop));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function compare(name: string, a: Side, b: Side) {
  return {
    name,
    ours: a,
    reference: b,
    ratios: {
      rps: round(a.rps / b.rps),
      p99: round(a.p99_ms / b.p99_ms),
      first_answer: round(a.first_answer_ms / b.first_answer_ms),
      peak_rss: round(a.peak_rss_mb / b.peak_rss_mb),
    },
  };
}

/** The targets, each with whether this run met it. */
function targets(comparisons: ReturnType<typeof compare>[]) {
  const same = comparisons.find((c) => c.name === 'same-architecture');
  const fallback = comparisons.find((c) => c.name === 'default-model');
  const resnet = comparisons.find((c) => c.name === 'resnet18');
  const all = comparisons.map((c) => c.ours);
  return {
    ...(same && {
      same_architecture_rps_x1_5: same.ratios.rps >= 1.5,
      same_architecture_p99_half: same.ratios.p99 <= 0.5,
    }),
    ...(fallback && {
      default_model_rps_x10: fallback.ratios.rps >= 10,
      default_model_p99_250ms: fallback.ours.p99_ms <= 250,
    }),
    ...(resnet && {
      resnet18_rps_x3: resnet.ratios.rps >= 3,
      resnet18_p99_third: resnet.ratios.p99 <= 1 / 3,
    }),
    no_errors: all.every((side) => side.errors === 0),
    first_answer_1s: all.every((side) => side.first_answer_ms <= 1000),
    peak_rss_200mb: all.every((side) => side.peak_rss_mb <= 200),
  };
}

function firstSampleImage(): string {
  const dir = join(REPO, 'sample/brain-mri/Testing/glioma');
  return join(dir, readdirSync(dir).sort()[0] ?? '');
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

try {
  // Compile once up front, so the time to first answer is the server's, not the compiler's.
  execFileSync(process.execPath, [join(REPO, 'packages/api/serve.mjs'), '--build-only'], {
    stdio: 'inherit',
  });
  const comparisons = [];
  if (argv.only === undefined || argv.only === 'same-architecture') {
    log('same architecture: simple CNN at 224 on both sides');
    const model = await buildBenchModel(join(work, 'simple'), 'simple_cnn', 224);
    comparisons.push(await comparison('same-architecture', model, 'simple'));
  }
  if (argv.only === undefined || argv.only === 'default-model') {
    log('default models: ours vs the reference ResNet18');
    const model = argv.model ?? (await buildBenchModel(join(work, 'default'), 'compact', DEFAULT_IMAGE_SIZE));
    comparisons.push(await comparison('default-model', model, 'resnet18'));
  }
  if (argv.only === undefined || argv.only === 'resnet18') {
    log('ResNet18 at 224 on both sides');
    const model = await buildBenchModel(join(work, 'resnet18'), 'resnet18', 224);
    comparisons.push(await comparison('resnet18', model, 'resnet18'));
  }
  for (const c of comparisons) {
    log(
      `${c.name}: ours ${c.ours.rps} RPS p50 ${c.ours.p50_ms} p99 ${c.ours.p99_ms} ms, errors ${c.ours.errors}, ` +
        `mean batch ${c.ours.mean_batch_size ?? '?'}; ` +
        `reference ${c.reference.rps} RPS p50 ${c.reference.p50_ms} p99 ${c.reference.p99_ms} ms, ` +
        `errors ${c.reference.errors}; RPS x${c.ratios.rps}, p99 x${c.ratios.p99}`,
    );
  }
  const summary = {
    connections: argv.connections,
    duration_s: argv.duration,
    rounds: argv.rounds,
    comparisons,
    targets: targets(comparisons),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

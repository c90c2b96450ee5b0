/**
 * `pnpm bench:explain [--model REF]`: what `?explain=gradcam` costs a client of the running service, beside the
 * same request without it, in one run so both see the same machine.
 *
 * 1. Latency, one request at a time: per round one `POST /classify` and one `POST /classify?explain=gradcam` of
 *    the same sample slice (their order flips every round), the client's round trip and the server's own timings.
 * 2. Under load: `--connections` clients for `--duration` s without explanations, then with, alternating for
 *    `--load-rounds`; throughput, latency, and `/healthz` asked ten times a second meanwhile (an explanation runs
 *    on the service's main thread, so a probe waits behind it).
 *
 * The service is `pnpm serve`'s own entry with its flags, `MODEL=REF` (a model folder, registry version or alias;
 * default `production`). Progress on stderr, the figures as JSON on the last line of stdout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { multipartBody } from './load.js';
import { freePort, launch, peakRssMb, REPO, SERVE_FLAGS, stop } from './servers.js';

const argv = await yargs(hideBin(process.argv))
  .option('model', {
    type: 'string',
    default: 'production',
    describe: 'What to serve, as MODEL for pnpm serve: a model folder, a registry version or alias.',
  })
  .option('rounds', { type: 'number', default: 30, describe: 'Requests of each kind, one at a time.' })
  .option('connections', { type: 'number', default: 4, describe: 'Clients in the load phase.' })
  .option('duration', { type: 'number', default: 5, describe: 'Seconds of each load round.' })
  .option('load-rounds', { type: 'number', default: 2 })
  .strict()
  .parse();

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const folder = join(REPO, 'sample/brain-mri/Testing');
const images = readdirSync(folder)
  .sort()
  .flatMap((label) =>
    readdirSync(join(folder, label))
      .filter((file) => file.endsWith('.jpg'))
      .sort()
      .slice(0, 2)
      .map((file) => readFileSync(join(folder, label, file))),
  );

interface Timed {
  clientMs: number;
  serverTotalMs: number;
  explainMs: number | undefined;
}

async function classify(url: string, image: Buffer, explain: boolean): Promise<Timed> {
  const { body, contentType } = multipartBody(image);
  const started = performance.now();
  const response = await fetch(`${url}/classify${explain ? '?explain=gradcam' : ''}`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
  const answer = (await response.json()) as {
    timings_ms?: { total: number; explain?: number };
    explanation?: unknown;
    message?: string;
  };
  const clientMs = performance.now() - started;
  if (response.status !== 200 || (explain && !answer.explanation))
    throw new Error(`/classify answered ${response.status}: ${answer.message ?? JSON.stringify(answer)}`);
  return {
    clientMs,
    serverTotalMs: answer.timings_ms?.total ?? Number.NaN,
    explainMs: answer.timings_ms?.explain,
  };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => Math.round(value * 10) / 10;
const summary = (values: number[]) => ({
  p50_ms: ms(quantile(values, 0.5)),
  p90_ms: ms(quantile(values, 0.9)),
});

async function oneAtATime(url: string) {
  const plain: Timed[] = [];
  const explained: Timed[] = [];
  // Warm-up: the first explanation loads the layers model; the first requests compile the wasm kernels.
  for (let i = 0; i < 3; i++) {
    await classify(url, images[i % images.length] as Buffer, false);
    await classify(url, images[i % images.length] as Buffer, true);
  }
  for (let round = 0; round < argv.rounds; round++) {
    const image = images[round % images.length] as Buffer;
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const explain of order) (explain ? explained : plain).push(await classify(url, image, explain));
    process.stderr.write(`\rone at a time: round ${round + 1}/${argv.rounds}`);
  }
  process.stderr.write('\n');
  const plainClient = quantile(
    plain.map((t) => t.clientMs),
    0.5,
  );
  const explainedClient = quantile(
    explained.map((t) => t.clientMs),
    0.5,
  );
  return {
    rounds: argv.rounds,
    classify: {
      client: summary(plain.map((t) => t.clientMs)),
      server_total: summary(plain.map((t) => t.serverTotalMs)),
    },
    classify_explain: {
      client: summary(explained.map((t) => t.clientMs)),
      server_total: summary(explained.map((t) => t.serverTotalMs)),
      explain_step: summary(explained.map((t) => t.explainMs ?? Number.NaN)),
    },
    added_p50_ms: ms(explainedClient - plainClient),
    ratio_p50: Math.round((explainedClient / plainClient) * 100) / 100,
  };
}

/** `/healthz` ten times a second on fresh connections, until `until` resolves. */
async function probeWhile(url: string, until: Promise<unknown>) {
  const latencies: number[] = [];
  let done = false;
  until.finally(() => {
    done = true;
  });
  const pending: Promise<void>[] = [];
  while (!done) {
    const started = performance.now();
    pending.push(
      new Promise<void>((resolve) => {
        const request = httpRequest(`${url}/healthz`, { agent: false, timeout: 5000 }, (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - started);
            resolve();
          });
        });
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', () => {
          latencies.push(5000);
          resolve();
        });
        request.end();
      }),
    );
    await sleep(100);
  }
  await Promise.all(pending);
  return {
    count: latencies.length,
    p50_ms: ms(quantile(latencies, 0.5)),
    p99_ms: ms(quantile(latencies, 0.99)),
  };
}

async function loadRound(url: string, explain: boolean) {
  const { body, contentType } = multipartBody(images[0] as Buffer);
  const statuses: Record<string, number> = {};
  const running = new Promise<autocannon.Result>((resolve, reject) =>
    autocannon(
      {
        url: `${url}/classify${explain ? '?explain=gradcam' : ''}`,
        connections: argv.connections,
        duration: argv.duration,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            body,
            headers: { 'content-type': contentType },
            onResponse: (status: number) => {
              statuses[status] = (statuses[status] ?? 0) + 1;
            },
          },
        ],
      } as autocannon.Options,
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  const [result, healthz] = await Promise.all([running, probeWhile(url, running)]);
  return {
    rps: Math.round(((statuses['200'] ?? 0) / argv.duration) * 10) / 10,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
    healthz,
  };
}

async function underLoad(url: string) {
  const rounds: { classify: unknown; classify_explain: unknown }[] = [];
  for (let round = 0; round < argv.loadRounds; round++) {
    log(
      `under load: round ${round + 1}/${argv.loadRounds}, ${argv.connections} connections, without explanations`,
    );
    const plain = await loadRound(url, false);
    log(`under load: round ${round + 1}/${argv.loadRounds}, with explanations`);
    const explained = await loadRound(url, true);
    rounds.push({ classify: plain, classify_explain: explained });
  }
  return { connections: argv.connections, seconds: argv.duration, rounds };
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
log(`starting the service with MODEL=${argv.model}`);
const server = await launch('ours', process.execPath, [...SERVE_FLAGS, 'packages/api/serve.mjs'], {
  cwd: REPO,
  env: {
    PORT: String(port),
    HOST: '127.0.0.1',
    MODEL: argv.model,
    PREDICTION_LOG: '',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
  },
  classifyUrl: `${url}/classify`,
  image: images[0] as Buffer,
  timeoutMs: 180_000,
});
try {
  const model = (await (await fetch(`${url}/readyz`)).json()) as { model?: unknown };
  const latency = await oneAtATime(url);
  log(`one at a time: ${JSON.stringify(latency)}`);
  const load = await underLoad(url);
  process.stdout.write(
    `${JSON.stringify({ model: model.model ?? argv.model, one_at_a_time: latency, under_load: load, peak_rss_mb: peakRssMb(server.child.pid) })}\n`,
  );
} finally {
  await stop(server);
}

/**
 * `pnpm bench:stress`: the service under traffic that used to hurt it, one allocator setting after another in one
 * run (so background load on a shared machine weighs on each alike).
 *
 * 1. Burst: 60 connections upload a valid 2240x2240 JPEG of ~10 MB (an MRI slice upscaled with noise, see
 *    large-image.ts) for 15 s. Every request must be answered with 200, or 503 with Retry-After; the process's
 *    resident memory is sampled every 100 ms through the burst and the 20 s after it.
 * 2. Probes: 400 connections of normal uploads for 10 s while /healthz and /readyz are asked ten times a second,
 *    each on a new connection, as a load balancer would.
 *
 * Targets (issue 14): peak RSS <= 400 MB, under 250 MB within 20 s of the burst, 0 unexpected answers; probe p99
 * <= 100 ms. Prints a line per phase, and the figures as JSON on the last line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { largeJpeg } from './large-image.js';
import { multipartBody } from './load.js';
import { buildBenchModel } from './models.js';
import { freePort, JEMALLOC, REPO, SERVE_FLAGS } from './servers.js';

/** The allocator settings compared: glibc as it is, glibc with two arenas, jemalloc preloaded (the image's). */
const ALLOCATORS: Record<string, Record<string, string>> = {
  glibc: {},
  'glibc-arenas-2': { MALLOC_ARENA_MAX: '2' },
  ...(JEMALLOC && { jemalloc: { LD_PRELOAD: JEMALLOC } }),
};

const argv = await yargs(hideBin(process.argv))
  .option('allocators', {
    type: 'string',
    default: Object.keys(ALLOCATORS).join(','),
    describe: `Comma-separated, from: ${Object.keys(ALLOCATORS).join(', ')}${JEMALLOC ? '' : ' (apt-get install libjemalloc2 for jemalloc)'}`,
  })
  .option('connections', { type: 'number', default: 60 })
  .option('duration', { type: 'number', default: 15, describe: 'Seconds of the burst.' })
  .option('recover', { type: 'number', default: 20, describe: 'Seconds watched after the burst.' })
  .option('probe-connections', { type: 'number', default: 400 })
  .option('probe-duration', { type: 'number', default: 10 })
  .option('image', { type: 'string', describe: 'The large JPEG; made from a sample slice when absent.' })
  .strict()
  .parse();

const log = (line: string) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'bench-stress-'));
const smallImage = readFileSync(firstSampleImage());
log('making the large JPEG');
const largeImage = argv.image ? readFileSync(argv.image) : await largeJpeg(firstSampleImage());

interface Tally {
  ok: number;
  shedWithRetryAfter: number;
  unexpected: Record<string, number>;
}

async function run(name: string, env: Record<string, string>) {
  const modelDir = join(work, 'model');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...SERVE_FLAGS, 'packages/api/serve.mjs'], {
    cwd: REPO,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODEL: modelDir,
      PREDICTION_LOG: join(work, `predictions-${name}`),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  log(`[${name}] starting the service (${JSON.stringify(env)})`);
  await waitReady(url, child, () => stderr);
  const rss = new RssSampler(child.pid as number);
  const idleMb = rss.now();

  log(`[${name}] burst: ${argv.connections} connections x ${(largeImage.length / 1e6).toFixed(1)} MB JPEG`);
  const burstStart = performance.now();
  const burst = await load(`${url}/classify`, largeImage, argv.connections, argv.duration, 10);
  const burstEnd = performance.now();
  await sleep(argv.recover * 1000);
  const peakMb = rss.peak();
  const settleMs = rss.settledBelow(250, burstEnd);
  const after = rss.now();
  log(
    `[${name}] burst: ${JSON.stringify(burst.tally)}, errors ${burst.errors}, timeouts ${burst.timeouts}; ` +
      `RSS idle ${idleMb} MB, peak ${peakMb} MB, ${after} MB ${argv.recover} s after` +
      (settleMs === undefined ? ', never under 250 MB' : `, under 250 MB ${Math.round(settleMs)} ms after`),
  );

  log(`[${name}] probes: /healthz and /readyz under ${argv.probeConnections} connections of uploads`);
  const probing = probeLoop(url, argv.probeDuration * 1000);
  const crowd = await load(`${url}/classify`, smallImage, argv.probeConnections, argv.probeDuration, 30);
  const probes = await probing;
  log(`[${name}] probes: ${JSON.stringify(probes)}; uploads ${JSON.stringify(crowd.tally)}`);

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const exitCode = await exited;
  return {
    allocator: name,
    burst: {
      seconds: argv.duration,
      connections: argv.connections,
      image_bytes: largeImage.length,
      answered_200: burst.tally.ok,
      shed_503_retry_after: burst.tally.shedWithRetryAfter,
      unexpected: burst.tally.unexpected,
      client_errors: burst.errors,
      timeouts: burst.timeouts,
      rss_idle_mb: idleMb,
      rss_peak_mb: peakMb,
      rss_after_mb: after,
      under_250_mb_after_ms: settleMs === undefined ? null : Math.round(settleMs),
      burst_ms: Math.round(burstEnd - burstStart),
    },
    probes: { ...probes, uploads: crowd.tally, upload_errors: crowd.errors + crowd.timeouts },
    exit_code: exitCode,
  };
}

async function load(url: string, image: Buffer, connections: number, seconds: number, timeout: number) {
  const { body, contentType } = multipartBody(image);
  const tally: Tally = { ok: 0, shedWithRetryAfter: 0, unexpected: {} };
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout,
    requests: [
      {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
        onResponse: (status: number, _body: string, _context: unknown, headers: Record<string, string>) => {
          if (status === 200) tally.ok++;
          else if (status === 503 && headers['retry-after']) tally.shedWithRetryAfter++;
          else tally.unexpected[status] = (tally.unexpected[status] ?? 0) + 1;
        },
      },
    ],
  } as autocannon.Options);
  return { tally, errors: result.errors, timeouts: result.timeouts };
}

/** Each probe on a fresh connection, ten a second per route, for `ms`; latency percentiles and statuses. */
async function probeLoop(url: string, ms: number) {
  const latencies: Record<string, number[]> = { healthz: [], readyz: [] };
  const statuses: Record<string, Record<string, number>> = { healthz: {}, readyz: {} };
  const end = performance.now() + ms;
  const pending: Promise<void>[] = [];
  while (performance.now() < end) {
    for (const route of ['healthz', 'readyz']) {
      pending.push(
        probe(`${url}/${route}`).then(({ status, ms: took }) => {
          latencies[route]?.push(took);
          const counts = statuses[route] as Record<string, number>;
          counts[status] = (counts[status] ?? 0) + 1;
        }),
      );
    }
    await sleep(100);
  }
  await Promise.all(pending);
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return { count: sorted.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
  };
  return {
    healthz: { ...summary(latencies.healthz ?? []), statuses: statuses.healthz },
    readyz: { ...summary(latencies.readyz ?? []), statuses: statuses.readyz },
  };
}

function probe(url: string): Promise<{ status: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, timeout: 5000 }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: String(response.statusCode), ms: performance.now() - started }),
      );
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve({ status: 'error', ms: performance.now() - started }));
    request.end();
  });
}

/** VmRSS of a process every 100 ms, with timestamps. */
class RssSampler {
  private readonly samples: { at: number; mb: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
    this.sample();
  }

  now(): number {
    return this.sample();
  }

  peak(): number {
    return Math.max(...this.samples.map((s) => s.mb));
  }

  /** Milliseconds after `from` until RSS went under `mb` and stayed there; undefined if it never did. */
  settledBelow(mb: number, from: number): number | undefined {
    let since: number | undefined;
    for (const sample of this.samples) {
      if (sample.at < from) continue;
      if (sample.mb >= mb) since = undefined;
      else since ??= sample.at;
    }
    return since === undefined ? undefined : Math.max(0, since - from);
  }

  private sample(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const mb = Math.round(Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024);
      this.samples.push({ at: performance.now(), mb });
      return mb;
    } catch {
      clearInterval(this.timer);
      return 0;
    }
  }
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The service exited with ${child.exitCode}:\n${output()}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`The service was not ready within 180 s:\n${output()}`);
}

function firstSampleImage(): string {
  const dir = join(REPO, 'sample/brain-mri/Testing/glioma');
  return join(dir, readdirSync(dir).sort()[0] as string);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const names = argv.allocators.split(',').map((name) => name.trim());
for (const name of names) {
  if (!ALLOCATORS[name])
    throw new Error(`Unknown allocator '${name}'; known: ${Object.keys(ALLOCATORS).join(', ')}.`);
}
try {
  log('building an untrained compact model at 128 px');
  await buildBenchModel(join(work, 'model'), 'compact', 128);
  const results = [];
  for (const name of names) results.push(await run(name, ALLOCATORS[name] as Record<string, string>));
  process.stdout.write(`${JSON.stringify({ image: 'sample upscaled to 2240x2240 with noise', results })}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

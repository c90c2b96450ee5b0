/**
 * `pnpm bench:stress`: the service under traffic that used to hurt it, one allocator setting after another in one
 * run (so background load on a shared machine weighs on each alike).
 *
 * 1. Burst: 60 connections upload a valid 2240x2240 JPEG of ~10 MB (an MRI slice upscaled with noise, see
 *    large-image.ts) for 15 s. Every request must be answered with 200, or 503 with Retry-After; the process's
 *    resident memory is sampled every 100 ms through the burst and the 20 s after it.
 * 2. Probes: 400 connections of normal uploads for 10 s while /healthz and /readyz are asked ten times a second,
 *    each on a new connection, as a load balancer would. The probes and the uploads each come from a process of
 *    their own (probe.ts, crowd.ts): in one process, a probe's latency included the load generator's event-loop
 *    lag. The service's own event-loop delay over the phase is read from its /metrics.
 *
 * Targets (issue 14): peak RSS <= 400 MB, under 250 MB within 20 s of the burst, 0 unexpected answers; probe p99
 * <= 100 ms. Prints a line per phase, and the figures as JSON on the last line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { CrowdResult } from './crowd.js';
import { largeJpeg } from './large-image.js';
import { buildBenchModel } from './models.js';
import type { ProbeReport, RouteFigures } from './probe.js';
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
  .option('phases', {
    type: 'string',
    default: 'burst,probes',
    describe: 'Comma-separated: burst (large uploads, memory), probes (probes under 400 connections).',
  })
  .option('env', {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'NAME=VALUE for the service, repeatable (e.g. MAX_CONNECTIONS=256).',
  })
  .strict()
  .parse();

const log = (line: string) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'bench-stress-'));
const phases = new Set(argv.phases.split(',').map((phase) => phase.trim()));
if (phases.has('burst') && !argv.image) log('making the large JPEG');
const largeImage = phases.has('burst')
  ? argv.image
    ? readFileSync(argv.image)
    : await largeJpeg(firstSampleImage())
  : Buffer.alloc(0);
const largePath = join(work, 'large.jpg');
writeFileSync(largePath, largeImage);
const serviceEnv = Object.fromEntries(
  argv.env.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env takes NAME=VALUE, not '${pair}'.`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

async function run(name: string, env: Record<string, string>) {
  const modelDir = join(work, 'model');
  const port = await freePort();
  const probePort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const probeUrl = `http://127.0.0.1:${probePort}`;
  const child = spawn(process.execPath, [...SERVE_FLAGS, 'packages/api/serve.mjs'], {
    cwd: REPO,
    env: {
      ...process.env,
      ...env,
      ...serviceEnv,
      PORT: String(port),
      PROBE_PORT: String(probePort),
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

  const burst = phases.has('burst') ? await burstPhase(name, url, rss, idleMb) : undefined;
  const probes = phases.has('probes') ? await probePhase(name, url, probeUrl) : undefined;

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const exitCode = await exited;
  return { allocator: name, ...(burst && { burst }), ...(probes && { probes }), exit_code: exitCode };
}

async function burstPhase(name: string, url: string, rss: RssSampler, idleMb: number) {
  log(`[${name}] burst: ${argv.connections} connections x ${(largeImage.length / 1e6).toFixed(1)} MB JPEG`);
  const burstStart = performance.now();
  const burst = await runChild<CrowdResult>('crowd.ts', [
    `${url}/classify`,
    largePath,
    String(argv.connections),
    String(argv.duration),
    '10',
  ]);
  const burstEnd = performance.now();
  await sleep(argv.recover * 1000);
  const peakMb = rss.peak();
  const settleMs = rss.settledBelow(250, burstEnd);
  const after = rss.now();
  log(
    `[${name}] burst: ${burst.ok} x 200, ${burst.shedWithRetryAfter} x 503, unexpected ${JSON.stringify(burst.unexpected)}, ` +
      `errors ${burst.errors}, timeouts ${burst.timeouts}; ` +
      `RSS idle ${idleMb} MB, peak ${peakMb} MB, ${after} MB ${argv.recover} s after` +
      (settleMs === undefined ? ', never under 250 MB' : `, under 250 MB ${Math.round(settleMs)} ms after`),
  );
  return {
    seconds: argv.duration,
    connections: argv.connections,
    image_bytes: largeImage.length,
    answered_200: burst.ok,
    shed_503_retry_after: burst.shedWithRetryAfter,
    unexpected: burst.unexpected,
    client_errors: burst.errors,
    timeouts: burst.timeouts,
    rss_idle_mb: idleMb,
    rss_peak_mb: peakMb,
    rss_after_mb: after,
    under_250_mb_after_ms: settleMs === undefined ? null : Math.round(settleMs),
    burst_ms: Math.round(burstEnd - burstStart),
  };
}

async function probePhase(name: string, url: string, probeUrl: string) {
  log(
    `[${name}] probes: /healthz and /readyz on the service's port and on PROBE_PORT, under ` +
      `${argv.probeConnections} connections of uploads`,
  );
  const targets = {
    healthz: `${url}/healthz`,
    readyz: `${url}/readyz`,
    probe_port_healthz: `${probeUrl}/healthz`,
    probe_port_readyz: `${probeUrl}/readyz`,
  };
  // Reading /metrics resets the service's event-loop delay histogram, so the next read covers the phase alone.
  await serviceLoopDelay(url);
  // The probes start once the uploads have (a child's start-up takes a second or two) and end with them.
  const crowd = startChild<CrowdResult>('crowd.ts', [
    `${url}/classify`,
    firstSampleImage(),
    String(argv.probeConnections),
    String(argv.probeDuration),
    '30',
  ]);
  const crowdStart = Number((await crowd.line(/crowd started at (\d+)/))[1]);
  const probeSeconds = (crowdStart + argv.probeDuration * 1000 - Date.now()) / 1000;
  const [probes, uploads] = await Promise.all([
    startChild<ProbeReport>('probe.ts', [probeSeconds.toFixed(2), '10', ...Object.values(targets)]).result,
    crowd.result,
  ]);
  const serviceLoop = await serviceLoopDelay(url);
  const figures = Object.fromEntries(
    Object.entries(targets).map(([key, target]) => [key, probes.urls[target]]),
  ) as Record<keyof typeof targets, RouteFigures>;
  for (const [key, route] of Object.entries(figures)) {
    log(
      `[${name}] ${key}: p50 ${route.p50_ms} ms, p99 ${route.p99_ms} ms, ${JSON.stringify(route.statuses)}`,
    );
  }
  log(
    `[${name}] service loop delay ${JSON.stringify(serviceLoop)} ms; ` +
      `uploads ${uploads.ok} x 200, ${uploads.shedWithRetryAfter} x 503, unexpected ${JSON.stringify(uploads.unexpected)}, ` +
      `errors ${uploads.errors}, timeouts ${uploads.timeouts}`,
  );
  return {
    connections: argv.probeConnections,
    seconds: argv.probeDuration,
    ...figures,
    // The target holds where the platform's probes are pointed (PROBE_PORT, deploy/cloud-run/api-service.yaml).
    target_probe_port_p99_le_100_ms:
      figures.probe_port_healthz.p99_ms <= 100 && figures.probe_port_readyz.p99_ms <= 100,
    prober_loop_delay_ms: probes.prober_loop_delay_ms,
    service_loop_delay_ms: serviceLoop,
    uploads: {
      answered_200: uploads.ok,
      shed_503_retry_after: uploads.shedWithRetryAfter,
      unexpected: uploads.unexpected,
      client_errors: uploads.errors,
      timeouts: uploads.timeouts,
      generator_loop_delay_ms: uploads.generator_loop_delay_ms,
    },
  };
}

/** The service's event-loop delay since the last read (prom-client's monitorEventLoopDelay, reset at each scrape). */
async function serviceLoopDelay(url: string): Promise<{ p99: number; max: number } | null> {
  const text = await fetch(`${url}/metrics`).then(
    (response) => response.text(),
    () => '',
  );
  const seconds = (metric: string) => Number(text.match(new RegExp(`^${metric} (\\S+)$`, 'm'))?.[1]);
  const p99 = seconds('nodejs_eventloop_lag_p99_seconds');
  const max = seconds('nodejs_eventloop_lag_max_seconds');
  if (!Number.isFinite(p99)) return null;
  return { p99: Math.round(p99 * 1000), max: Math.round(max * 1000) };
}

/** Runs a bench script as a child process (with this process's TypeScript loader); its last stdout line as JSON. */
function runChild<T>(script: string, args: string[]): Promise<T> {
  return startChild<T>(script, args).result;
}

function startChild<T>(script: string, args: string[]) {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; found: (match: RegExpMatchArray) => void }[] = [];
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
    for (const watcher of [...watchers]) {
      const match = stderr.match(watcher.pattern);
      if (match) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.found(match);
      }
    }
  });
  const result = new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`${script} exited with ${code}:\n${stderr}`));
      else resolve(JSON.parse(last) as T);
    });
  });
  return {
    result,
    /** The first match of `pattern` in the child's stderr; rejects if the child ends without one. */
    line(pattern: RegExp): Promise<RegExpMatchArray> {
      const already = stderr.match(pattern);
      if (already) return Promise.resolve(already);
      return Promise.race([
        new Promise<RegExpMatchArray>((found) => watchers.push({ pattern, found })),
        result.then(() => {
          throw new Error(`${script} never printed ${pattern}.`);
        }),
      ]);
    },
  };
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

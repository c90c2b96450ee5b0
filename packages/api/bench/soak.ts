/**
 * `pnpm bench:soak --minutes N`: the service under mixed traffic for N minutes: MRI slices from the sample, large
 * phone-sized JPEGs, bad inputs (truncated, not an image, empty, a decompression bomb header), and a burst of 50
 * connections every minute. Every 10 s it prints the window's answers, unexpected answers (any 5xx but a 503 with
 * Retry-After, any 4xx to a good image, any 2xx to a bad one), latency and the server's resident memory; at the end,
 * the RSS drift against its level after the first minute (the warm-up), JSON on the last line, and a PNG of RSS and
 * latency over time next to it (`--png`, default soak.png in the working directory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { largeJpeg } from './large-image.js';
import { multipartBody } from './load.js';
import { buildBenchModel } from './models.js';
import { freePort, JEMALLOC, REPO, SERVE_FLAGS } from './servers.js';

const argv = await yargs(hideBin(process.argv))
  .option('minutes', { type: 'number', default: 10 })
  .option('clients', { type: 'number', default: 8, describe: 'Steady concurrent clients.' })
  .option('png', { type: 'string', default: 'soak.png' })
  .option('jemalloc', {
    type: 'boolean',
    default: true,
    describe: 'Preload jemalloc, as the container does.',
  })
  .strict()
  .parse();

const log = (line: string) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'bench-soak-'));

interface Kind {
  readonly name: string;
  readonly body: Buffer;
  readonly contentType: string;
  /** Whether a 200 is the right answer (true) or a 4xx is (false). */
  readonly good: boolean;
}

async function inputs(): Promise<{ weighted: Kind[]; small: Kind[] }> {
  const sampleRoot = join(REPO, 'sample/brain-mri/Testing');
  const slices = readdirSync(sampleRoot).flatMap((label) =>
    readdirSync(join(sampleRoot, label))
      .sort()
      .slice(0, 3)
      .map((file) => join(sampleRoot, label, file)),
  );
  const kind = (name: string, bytes: Buffer, good: boolean): Kind => ({
    name,
    good,
    ...(({ body, contentType }) => ({ body, contentType }))(multipartBody(bytes)),
  });
  const small = slices.map((path, i) => kind(`slice-${i}`, readFileSync(path), true));
  const first = slices[0] as string;
  const large = await largeJpeg(first);
  const medium = await sharp(first).resize(1200).jpeg({ quality: 92 }).toBuffer();
  // A PNG header claiming 20000x20000: refused by its header, before any decode.
  const bomb = Buffer.from(readFileSync(first));
  const pngBomb = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
    Buffer.from([0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 2, 0, 0, 0]),
  ]);
  const bad = [
    kind('truncated', bomb.subarray(0, bomb.length >> 1), false),
    kind('not-an-image', Buffer.from('this is a text file, not a scan\n'.repeat(40)), false),
    kind('empty', Buffer.alloc(0), false),
    kind('png-bomb', pngBomb, false),
  ];
  // Mostly slices; a large photo 1 in 25, a medium one 1 in 10, bad inputs 1 in 8.
  const weighted: Kind[] = [];
  for (let i = 0; i < 200; i++) {
    if (i % 25 === 0) weighted.push(kind('large-10mb', large, true));
    else if (i % 10 === 0) weighted.push(kind('medium', medium, true));
    else if (i % 8 === 0) weighted.push(bad[(i >> 3) % bad.length] as Kind);
    else weighted.push(small[i % small.length] as Kind);
  }
  return { weighted, small };
}

interface Window {
  readonly at_s: number;
  answered: number;
  ok: number;
  client_errors: number;
  shed: number;
  unexpected: number;
  latencies: number[];
  rss_mb: number;
}

async function main(): Promise<void> {
  log('building an untrained compact model at 128 px');
  await buildBenchModel(join(work, 'model'), 'compact', 128);
  const { weighted, small } = await inputs();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...SERVE_FLAGS, 'packages/api/serve.mjs'], {
    cwd: REPO,
    env: {
      ...process.env,
      ...(argv.jemalloc && JEMALLOC ? { LD_PRELOAD: JEMALLOC } : {}),
      PORT: String(port),
      HOST: '127.0.0.1',
      MODEL: join(work, 'model'),
      PREDICTION_LOG: join(work, 'predictions'),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await waitReady(url, child, () => stderr);

  const started = performance.now();
  const end = started + argv.minutes * 60_000;
  const windows: Window[] = [];
  let current = newWindow(0);
  const unexpectedSeen: Record<string, number> = {};
  const record = (kindName: string, good: boolean, status: number, retryAfter: boolean, ms: number) => {
    current.answered++;
    if (status === 200) current.ok++;
    if (status === 503 && retryAfter) current.shed++;
    else if (status >= 400 && status < 500 && !good) current.client_errors++;
    const expected =
      (good && status === 200) || (status === 503 && retryAfter) || (!good && status >= 400 && status < 500);
    if (!expected) {
      current.unexpected++;
      const key = `${kindName}:${status}`;
      unexpectedSeen[key] = (unexpectedSeen[key] ?? 0) + 1;
    }
    if (status === 200) current.latencies.push(ms);
  };
  const send = async (kind: Kind) => {
    const t0 = performance.now();
    try {
      const response = await fetch(`${url}/classify`, {
        method: 'POST',
        body: new Uint8Array(kind.body),
        headers: { 'content-type': kind.contentType },
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      record(
        kind.name,
        kind.good,
        response.status,
        response.headers.has('retry-after'),
        performance.now() - t0,
      );
    } catch {
      record(kind.name, kind.good, 0, false, performance.now() - t0);
    }
  };
  const client = async (offset: number) => {
    let i = offset;
    while (performance.now() < end) await send(weighted[i++ % weighted.length] as Kind);
  };
  const bursts = async () => {
    while (performance.now() < end) {
      await sleep(Math.min(60_000, end - performance.now()));
      if (performance.now() >= end) return;
      const burstEnd = performance.now() + 3000;
      await Promise.all(
        Array.from({ length: 50 }, async (_, n) => {
          let i = n;
          while (performance.now() < burstEnd) await send(small[i++ % small.length] as Kind);
        }),
      );
    }
  };
  const ticker = setInterval(() => {
    current.rss_mb = rssMb(child.pid);
    windows.push(current);
    log(describe(current));
    current = newWindow(Math.round((performance.now() - started) / 1000));
  }, 10_000);
  await Promise.all([...Array.from({ length: argv.clients }, (_, n) => client(n * 7)), bursts()]);
  clearInterval(ticker);

  const exited = new Promise<number | null>((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const exitCode = await exited;

  const warm = windows.filter((w) => w.at_s >= 60);
  const baseline = warm[0]?.rss_mb ?? windows[0]?.rss_mb ?? 0;
  const final = windows.at(-1)?.rss_mb ?? 0;
  const all = windows.flatMap((w) => w.latencies);
  const summary = {
    minutes: argv.minutes,
    clients: argv.clients,
    allocator: argv.jemalloc && JEMALLOC ? 'jemalloc' : 'glibc',
    answered: sum(windows.map((w) => w.answered)),
    ok: sum(windows.map((w) => w.ok)),
    client_errors_expected: sum(windows.map((w) => w.client_errors)),
    shed_503: sum(windows.map((w) => w.shed)),
    unexpected: sum(windows.map((w) => w.unexpected)),
    unexpected_by_kind: unexpectedSeen,
    rss_after_warmup_mb: baseline,
    rss_final_mb: final,
    rss_max_mb: Math.max(...windows.map((w) => w.rss_mb)),
    rss_drift_pct: baseline > 0 ? Math.round(((final - baseline) / baseline) * 1000) / 10 : null,
    p50_ms: percentile(all, 0.5),
    p99_ms: percentile(all, 0.99),
    exit_code: exitCode,
    png: resolve(argv.png),
  };
  await plot(windows, argv.png);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function newWindow(at: number): Window {
  return { at_s: at, answered: 0, ok: 0, client_errors: 0, shed: 0, unexpected: 0, latencies: [], rss_mb: 0 };
}

function describe(w: Window): string {
  return (
    `t=${String(w.at_s).padStart(4)} s  answered ${w.answered}  ok ${w.ok}  4xx(bad input) ${w.client_errors}  ` +
    `503 ${w.shed}  unexpected ${w.unexpected}  p50 ${percentile(w.latencies, 0.5)} ms  ` +
    `p99 ${percentile(w.latencies, 0.99)} ms  RSS ${w.rss_mb} MB`
  );
}

/** RSS and latency per window, one PNG (Vega-Lite -> Vega SVG -> sharp), as the trainer draws its figures. */
async function plot(windows: Window[], path: string): Promise<void> {
  const rows = windows.flatMap((w) => [
    { t: w.at_s, value: w.rss_mb, series: 'RSS (MB)' },
    { t: w.at_s, value: percentile(w.latencies, 0.5), series: 'p50 latency (ms)' },
    { t: w.at_s, value: percentile(w.latencies, 0.99), series: 'p99 latency (ms)' },
    { t: w.at_s, value: w.unexpected, series: 'unexpected answers' },
  ]);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    title: `Soak: ${argv.minutes} min of mixed traffic`,
    data: { values: rows },
    facet: { row: { field: 'series', type: 'nominal', title: null } },
    spec: {
      width: 640,
      height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds' },
        // ',~f': a row of zeros reads "0", not "0.000000".
        y: { field: 'value', type: 'quantitative', title: null, axis: { format: ',~f' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    await sharp(Buffer.from(svg), { density: 144 }).png().toFile(path);
  } finally {
    view.finalize();
  }
}

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The service exited with ${child.exitCode}:\n${output()}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`The service was not ready within 120 s:\n${output()}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * A load balancer's health checker, in a process of its own: asks each URL ten times a second (by default), every
 * time on a new connection, for a given time, and prints the latency percentiles and statuses as JSON. The stress
 * bench runs it as a child so that the probes' latency is the service's and not the load generator's: in the
 * generator's own process a probe's answer waits for that busy event loop as well.
 *
 *   tsx packages/api/bench/probe.ts SECONDS PER_SECOND URL...
 *   tsx packages/api/bench/probe.ts 10 10 http://127.0.0.1:8000/healthz http://127.0.0.1:8000/readyz
 */
import { request as httpRequest } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** A probe not answered within this is counted as `timeout`, at this latency. */
const PROBE_TIMEOUT_MS = 5000;

export interface RouteFigures {
  readonly count: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly statuses: Record<string, number>;
}

export interface ProbeReport {
  /** By URL. */
  readonly urls: Record<string, RouteFigures>;
  /** The prober's own event-loop delay (p99, max): if this is high, its figures say more about it than the server. */
  readonly prober_loop_delay_ms: { readonly p99: number; readonly max: number };
}

export async function probeFor(urls: readonly string[], ms: number, perSecond = 10): Promise<ProbeReport> {
  const routes = urls;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const latencies = new Map<string, number[]>(routes.map((route) => [route, []]));
  const statuses = new Map<string, Record<string, number>>(routes.map((route) => [route, {}]));
  const pending: Promise<void>[] = [];
  const started = performance.now();
  // Fixed send times (not a sleep after each round), so a slow answer never delays the next probe.
  for (let tick = 0; tick * (1000 / perSecond) < ms; tick++) {
    const due = started + tick * (1000 / perSecond);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (const route of routes) {
      pending.push(
        probe(route).then(({ status, ms: took }) => {
          latencies.get(route)?.push(took);
          const counts = statuses.get(route) as Record<string, number>;
          counts[status] = (counts[status] ?? 0) + 1;
        }),
      );
    }
  }
  await Promise.all(pending);
  loop.disable();
  const figures: Record<string, RouteFigures> = {};
  for (const route of routes) {
    figures[route] = { ...percentiles(latencies.get(route) ?? []), statuses: statuses.get(route) ?? {} };
  }
  return {
    urls: figures,
    prober_loop_delay_ms: {
      p99: Math.round(loop.percentile(99) / 1e6),
      max: Math.round(loop.max / 1e6),
    },
  };
}

export function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { count: sorted.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
}

function probe(url: string): Promise<{ status: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: string) => resolve({ status, ms: performance.now() - started });
    const request = httpRequest(url, { agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => done(String(response.statusCode)));
    });
    request.on('timeout', () => {
      request.destroy();
      done('timeout');
    });
    request.on('error', () => done('error'));
    request.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [seconds, perSecond, ...urls] = process.argv.slice(2);
  if (!seconds || !perSecond || urls.length === 0) {
    process.stderr.write('Usage: tsx packages/api/bench/probe.ts SECONDS PER_SECOND URL...\n');
    process.exit(2);
  }
  const report = await probeFor(urls, Number(seconds) * 1000, Number(perSecond));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

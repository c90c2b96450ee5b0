/**
 * A crowd of uploads (autocannon) that counts answers the way the stress bench judges them: 200, 503 with
 * Retry-After, anything else. Runnable as a process of its own, so that the load generator's busy event loop does
 * not sit in the same process as the bench's probes and RSS sampler:
 *
 *   tsx packages/api/bench/crowd.ts URL IMAGE CONNECTIONS SECONDS [TIMEOUT_SECONDS]
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { multipartBody } from './load.js';

export interface CrowdResult {
  readonly ok: number;
  readonly shedWithRetryAfter: number;
  readonly unexpected: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** The generator's own event-loop delay: high values mean it offered less load than its connections could. */
  readonly generator_loop_delay_ms: { readonly p99: number; readonly max: number };
}

export async function crowd(
  url: string,
  image: Buffer,
  connections: number,
  seconds: number,
  timeoutSeconds: number,
): Promise<CrowdResult> {
  const { body, contentType } = multipartBody(image);
  const tally = { ok: 0, shedWithRetryAfter: 0, unexpected: {} as Record<string, number> };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  // For a parent that starts something in step with the load (the stress bench's prober).
  process.stderr.write(`crowd started at ${Date.now()}\n`);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: timeoutSeconds,
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
  loop.disable();
  return {
    ...tally,
    errors: result.errors,
    timeouts: result.timeouts,
    generator_loop_delay_ms: {
      p99: Math.round(loop.percentile(99) / 1e6),
      max: Math.round(loop.max / 1e6),
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, image, connections, seconds, timeout = '10'] = process.argv.slice(2);
  if (!url || !image || !connections || !seconds) {
    process.stderr.write(
      'Usage: tsx packages/api/bench/crowd.ts URL IMAGE CONNECTIONS SECONDS [TIMEOUT_SECONDS]\n',
    );
    process.exit(2);
  }
  const result = await crowd(url, readFileSync(image), Number(connections), Number(seconds), Number(timeout));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

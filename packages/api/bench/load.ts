/**
 * A multipart POST load with autocannon: one real image, N connections, D seconds. Used by `pnpm bench:serve`, and
 * runnable alone against any server: `tsx packages/api/bench/load.ts URL IMAGE [CONNECTIONS] [SECONDS]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

export interface LoadResult {
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly requests: number;
  /** Non-2xx answers plus connection errors and timeouts. */
  readonly errors: number;
}

export function multipartBody(image: Buffer, filename = 'mri.jpg'): { body: Buffer; contentType: string } {
  const boundary = '----mriLoadBoundary7MA4YWxk';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), image, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export async function loadTest(
  url: string,
  image: Buffer,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const { body, contentType } = multipartBody(image);
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    body,
    headers: { 'content-type': contentType },
    timeout: 30,
  });
  return {
    rps: round(result.requests.total / seconds),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, imagePath, connections = '20', seconds = '15'] = process.argv.slice(2);
  if (!url || !imagePath) {
    process.stderr.write('Usage: tsx packages/api/bench/load.ts URL IMAGE [CONNECTIONS] [SECONDS]\n');
    process.exit(2);
  }
  const result = await loadTest(url, readFileSync(imagePath), Number(connections), Number(seconds));
  process.stdout.write(`${JSON.stringify({ url, ...result })}\n`);
}

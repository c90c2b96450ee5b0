/**
 * The probe listener's thread (started by probes.ts): a bare HTTP server on its own port and event loop that
 * answers /healthz and /readyz from what the main thread last published, so a probe never waits behind the uploads
 * the main event loop is parsing. It does no I/O besides answering and holds nothing but a few strings.
 */
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { ProbeWorkerData, PublishedReadiness, ToMain, ToProbes } from './probe-protocol.js';

const { host, port, heartbeat, stallMs } = workerData as ProbeWorkerData;
const beat = new BigInt64Array(heartbeat);
let readiness: PublishedReadiness = {
  statusCode: 503,
  body: JSON.stringify({ error: 'not_ready', message: 'The service is starting; retry in a moment.' }),
  headers: { 'retry-after': '1' },
};

parentPort?.on('message', (message: ToProbes) => {
  readiness = message.readiness;
});

/** Milliseconds since the main thread's event loop last turned. */
function stalledFor(): number {
  return Date.now() - Number(Atomics.load(beat, 0));
}

const server = createServer((request, response) => {
  const path = (request.url ?? '').split('?')[0];
  const send = (statusCode: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(405, JSON.stringify({ error: 'method_not_allowed', message: 'Probes answer GET only.' }), {
      allow: 'GET, HEAD',
    });
  }
  if (path !== '/healthz' && path !== '/readyz') {
    return send(
      404,
      JSON.stringify({ error: 'not_found', message: 'This port answers /healthz and /readyz only.' }),
    );
  }
  // Liveness still means the service makes progress: a main event loop that has not turned for `stallMs` (a
  // deadlock, an endless loop) fails both probes, so the platform restarts it.
  const stalled = stalledFor();
  if (stalled > stallMs) {
    return send(
      503,
      JSON.stringify({
        error: 'stalled',
        message: `The service's event loop has not turned for ${stalled} ms.`,
      }),
    );
  }
  if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
  return send(readiness.statusCode, readiness.body, readiness.headers);
});
// Probes come on new connections; none should linger.
server.keepAliveTimeout = 1000;
server.on('error', (error) => parentPort?.postMessage({ failed: error.message } satisfies ToMain));
server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  parentPort?.postMessage({ listening: bound } satisfies ToMain);
});

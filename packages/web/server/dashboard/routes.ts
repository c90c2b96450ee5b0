/**
 * The dashboard's endpoint on the page's own server, under /api/: runs, sweeps and the registry as JSON, a run's
 * PNG figures, and one write, promoting a registry version, offered only when the registry is a local folder.
 * Everything else on the server stays static files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from '@mri/data/paths';
import { type ModelRegistry, openBlobStore, openRegistry, PRODUCTION } from '@mri/registry';
import { promoteThroughGate } from './gated-promote.js';
import { isWritableRegistry, readRegistryView } from './registry-view.js';
import { RunRecords } from './run-records.js';

export interface DashboardOptions {
  /** Where runs are: the trainer's output folder (default `outputs`) or the `upload_url` bucket (gs://.../runs). */
  runsUrl: string;
  /** The model registry: a folder (default `registry`) or gs://bucket/prefix. */
  registryUrl: string;
}

/** Answers a request under /api/, or returns false for the static file server to handle it. */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

const RUN_ID = /^[\w.-]+(?:\/[\w.-]+)*$/;
const MAX_BODY_BYTES = 4096;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function runIdOf(url: URL): string {
  const id = url.searchParams.get('id') ?? '';
  if (!RUN_ID.test(id) || id.split('/').some((segment) => segment === '..' || segment === '.'))
    throw new HttpError(400, `"${id}" is not a run id; pick a run from the list.`);
  return id;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request is larger than a promotion needs.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Send the promotion as JSON: {"version": "v2", "alias": "production"}.');
  }
}

/**
 * A promotion changes what the API serves. Only a same-origin script can send JSON here without a CORS preflight
 * (which this server never grants), so a page on another site cannot promote through a visitor's browser.
 */
function checkSameOrigin(request: IncomingMessage): void {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new HttpError(415, 'Send the promotion as application/json.');
  const origin = request.headers.origin;
  if (origin !== undefined && new URL(origin).host !== request.headers.host)
    throw new HttpError(403, 'Promotions are accepted only from the dashboard page itself.');
}

async function promote(registry: ModelRegistry, request: IncomingMessage): Promise<unknown> {
  if (!isWritableRegistry(registry.store.url))
    throw new HttpError(
      403,
      `The registry ${registry.store.url} is a bucket; promote with \`pnpm registry promote\` and your credentials.`,
    );
  checkSameOrigin(request);
  const body = await readBody(request);
  const { version, alias } = (body ?? {}) as { version?: unknown; alias?: unknown };
  if (typeof version !== 'string' || typeof alias !== 'string')
    throw new HttpError(400, 'Name the version and the alias: {"version": "v2", "alias": "production"}.');
  if (alias === PRODUCTION) {
    const outcome = await promoteThroughGate(registry.store.url, version, alias);
    if (!outcome.promoted) throw new HttpError(409, outcome.sentence);
    return { version, alias, ...outcome.result };
  }
  try {
    const entry = await registry.promote(version, alias);
    return { version: entry.version, alias };
  } catch (error) {
    // The registry's own refusals (unknown version, bad alias name, the promotion gate) are one sentence each.
    if (error instanceof Error && error.name === 'RegistryError') throw new HttpError(409, error.message);
    throw error;
  }
}

export function dashboardHandler(options: DashboardOptions): DashboardHandler {
  const runs = new RunRecords(openBlobStore(options.runsUrl));
  const registry = openRegistry({ registryUrl: options.registryUrl });
  const sources = { runsUrl: runs.store.url, registryUrl: registry.store.url };
  // The registry records a run as a folder relative to the repository; a run in a local runs folder has an id.
  const registryRunId = (run: string): string | null => {
    if (runs.store.url.startsWith('gs://')) return null;
    const inside = relative(runs.store.url, resolve(REPO_ROOT, run));
    return inside === '' || inside.startsWith('..') || isAbsolute(inside)
      ? null
      : inside.split(sep).join('/');
  };

  const sendFigure = async (response: ServerResponse, url: URL) => {
    const png = await runs.figure(runIdOf(url), url.searchParams.get('name') ?? '');
    if (png === undefined) throw new HttpError(404, 'No such figure in that run.');
    response.writeHead(200, {
      'content-type': 'image/png',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-length': png.byteLength,
    });
    response.end(png);
  };
  const reads: Record<string, (response: ServerResponse, url: URL) => Promise<void>> = {
    '/api/sources': async (response) => sendJson(response, 200, sources),
    '/api/runs': async (response) => sendJson(response, 200, await runs.list()),
    '/api/sweeps': async (response) => sendJson(response, 200, await runs.sweeps()),
    '/api/registry': async (response) =>
      sendJson(response, 200, await readRegistryView(registry, registryRunId)),
    '/api/run': async (response, url) => {
      const detail = await runs.detail(runIdOf(url));
      if (detail === null)
        throw new HttpError(404, `No run ${url.searchParams.get('id')} in ${sources.runsUrl}.`);
      sendJson(response, 200, detail);
    },
    '/api/run/figure': sendFigure,
  };

  const route = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const method = request.method ?? 'GET';
    if (url.pathname === '/api/registry/promote') {
      if (method !== 'POST') throw new HttpError(405, 'Promote with POST.');
      sendJson(response, 200, await promote(registry, request));
      return;
    }
    const read = reads[url.pathname];
    if (read === undefined) throw new HttpError(404, `No dashboard endpoint ${url.pathname}.`);
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, 'The dashboard endpoint is read only.');
    await read(response, url);
  };

  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpError) return sendJson(response, error.status, { error: error.message });
      const reason = error instanceof Error ? error.message : String(error);
      sendJson(response, 502, { error: `Could not read the runs or the registry: ${reason}` });
    });
    return true;
  };
}

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { DashboardHandler } from './dashboard/routes.js';

// The production page's server: the built files, plus /config.json carrying the API URL from the environment, so
// one build (one container image) points at any API. No framework: a page of static files needs none.

export interface WebServerOptions {
  /** The built page (vite's outDir). */
  root: string;
  port: number;
  host: string;
  /** Served as /config.json's `apiUrl`; when absent the page uses the URL baked in at build time. */
  apiUrl?: string | undefined;
  /** The runs dashboard's endpoint (/api/, see dashboard/routes.ts); without it /api/ is a missing file. */
  dashboard?: DashboardHandler | undefined;
}

export interface RunningWebServer {
  url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Deployed behind HTTPS (Cloud Run): browsers keep to HTTPS for a year; ignored over plain HTTP on localhost.
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // The page uses none of these; a script injected into it could not either.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  // connect-src stays open: the API lives wherever the deployment says, on another origin.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src *; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** The file under `root` that `urlPath` names, or null when it would escape `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const absoluteRoot = resolve(root);
  const candidate = normalize(join(absoluteRoot, relative));
  return candidate.startsWith(absoluteRoot + sep) ? candidate : null;
}

function send(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { ...securityHeaders, 'content-type': type, 'cache-control': 'no-store' });
  response.end(head ? undefined : body);
}

async function serveFile(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const head = request.method === 'HEAD';
  const path = resolveStaticPath(root, request.url ?? '/');
  const info = path === null ? null : await stat(path).catch(() => null);
  if (path === null || info === null || !info.isFile()) {
    send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n', head);
    return;
  }
  // Vite fingerprints everything under assets/, so those never change; index.html must always be fresh.
  const immutable = path.includes(`${sep}assets${sep}`);
  response.writeHead(200, {
    ...securityHeaders,
    'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (head) {
    response.end();
    return;
  }
  createReadStream(path).pipe(response);
}

/** The body of /config.json: the API URL when the deployment names one, else nothing (the build's applies). */
export function runtimeConfigJson(apiUrl: string | undefined): string {
  return JSON.stringify(apiUrl ? { apiUrl } : {});
}

export function handleRequest(options: Pick<WebServerOptions, 'root' | 'apiUrl' | 'dashboard'>) {
  const config = runtimeConfigJson(options.apiUrl);
  const { dashboard } = options;
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (dashboard?.(request, response)) return;
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD are served here.\n', false);
      return;
    }
    if ((request.url ?? '/').split('?')[0] === '/config.json') {
      send(response, 200, 'application/json; charset=utf-8', config, head);
      return;
    }
    serveFile(options.root, request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'Read error.\n', head);
      else response.destroy();
    });
  };
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const server = createServer(handleRequest(options));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
      }),
  };
}

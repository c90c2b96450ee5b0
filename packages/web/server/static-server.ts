import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import type { DashboardHandler } from './dashboard/routes.js';

// The production page's server: the built files, plus /config.json carrying the API URL from the environment, so
// one build (one container image) points at any API. sirv serves the files: it lists the build folder once at start
// and serves only what that list holds, so no path from a request reaches the file system (with ETags, HEAD and
// ranges). Ours are the headers below and the two routes beside the files.

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

// sirv names most text types without a charset; the page's files are all UTF-8.
const utf8Types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

function send(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(head ? undefined : body);
}

function staticFiles(root: string) {
  return sirv(root, {
    // Production mode: the folder is listed once, now (dot files left out); a request can only pick from that list.
    dev: false,
    etag: true,
    // `/` is `/index.html` and `/dashboard` is `/dashboard.html`; nothing else is guessed.
    extensions: ['html'],
    setHeaders: (response, pathname) => {
      // A name without an extension (`/`, `/dashboard`) was answered with its .html file: nothing else is guessed,
      // and a Vite build has no extension-less files.
      const name = pathname.slice(pathname.lastIndexOf('/') + 1);
      const type = utf8Types[name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : 'html'];
      if (type !== undefined) response.setHeader('content-type', type);
      // Vite fingerprints everything under assets/, so those never change; the pages must always be fresh.
      response.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
    onNoMatch: (request, response) =>
      send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n', request.method === 'HEAD'),
  });
}

/** The body of /config.json: the API URL when the deployment names one, else nothing (the build's applies). */
export function runtimeConfigJson(apiUrl: string | undefined): string {
  return JSON.stringify(apiUrl ? { apiUrl } : {});
}

export function handleRequest(options: Pick<WebServerOptions, 'root' | 'apiUrl' | 'dashboard'>) {
  const config = runtimeConfigJson(options.apiUrl);
  const { dashboard } = options;
  const files = staticFiles(options.root);
  return (request: IncomingMessage, response: ServerResponse): void => {
    // On every answer: files, 304s, 404s, /config.json and the dashboard's JSON.
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
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
    files(request, response);
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

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@mri/logging';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { buildPage } from './build-page.js';
import { withDashboardOptions } from './dashboard/options.js';
import { dashboardHandler } from './dashboard/routes.js';
import { describeListenError } from './listen-error.js';
import { startWebServer } from './static-server.js';

// `pnpm web`: one command from a fresh Quick start to an open page. Builds the page, serves it, and starts the
// API (`pnpm serve`) as well unless one already answers at the API URL. Ctrl-C stops everything it started.

const log = createLogger({ name: 'web' });
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const argv = await withDashboardOptions(
  yargs(hideBin(process.argv))
    .scriptName('pnpm web')
    .usage('$0: build and serve the upload page, starting the API if none is running')
    .option('port', { type: 'number', default: 5173, describe: "the page's port" })
    .option('api-url', {
      type: 'string',
      default: process.env.API_URL ?? 'http://localhost:8000',
      describe: 'where the API is (env API_URL)',
    })
    .option('start-api', {
      type: 'boolean',
      default: true,
      describe: 'start `pnpm serve` when no API answers',
    }),
)
  .strict()
  .parse();

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return response.status < 500 || response.status === 503;
  } catch {
    return false;
  }
}

async function waitUntilReady(apiUrl: string, api: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && api.exitCode === null) {
    const ready = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(1500) }).catch(() => null);
    if (ready?.ok) return true;
    await new Promise((wait) => setTimeout(wait, 500));
  }
  return false;
}

function startApi(apiUrl: string): ChildProcess {
  const port = new URL(apiUrl).port || '8000';
  // Inside a pnpm script npm_execpath is pnpm itself, which also works when pnpm is not on PATH (npx pnpm).
  const pnpm = process.env.npm_execpath;
  const [command, args] = pnpm ? [process.execPath, [pnpm, 'serve']] : ['pnpm', ['serve']];
  log.info({ port }, 'no API answers there: starting one with `pnpm serve`');
  // Its own process group, so stopping it reaches pnpm's children (tsx, node) too.
  return spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    // Its output goes to stderr with ours: stdout carries only this command's JSON result.
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, PORT: port },
  });
}

function stopApi(api: ChildProcess | null): void {
  if (api?.pid === undefined || api.exitCode !== null) return;
  try {
    process.kill(-api.pid, 'SIGTERM');
  } catch {
    api.kill('SIGTERM');
  }
}

const apiUrl = argv['api-url'].replace(/\/+$/, '');
log.info('building the page');
await buildPage();

let api: ChildProcess | null = null;
if (await answers(`${apiUrl}/healthz`)) {
  log.info({ apiUrl }, 'using the API already running');
} else if (argv['start-api'] && ['localhost', '127.0.0.1', '[::1]'].includes(new URL(apiUrl).hostname)) {
  api = startApi(apiUrl);
  api.once('exit', (code) => {
    log.warn({ code }, 'the API stopped; the page will say it is unreachable (run `pnpm serve` to see why)');
  });
} else {
  log.warn({ apiUrl }, 'nothing answers at the API URL; the page will say so until something does');
}

const server = await startWebServer({
  root: fileURLToPath(new URL('../dist', import.meta.url)),
  port: argv.port,
  host: '127.0.0.1',
  apiUrl,
  dashboard: dashboardHandler({ runsUrl: argv['runs-url'], registryUrl: argv['registry-url'] }),
}).catch((error: unknown) => {
  log.error(describeListenError(error, argv.port));
  stopApi(api);
  process.exit(1);
});
const pageUrl = server.url.replace('127.0.0.1', 'localhost');
log.info(`open ${pageUrl} in a browser, the runs dashboard at ${pageUrl}/dashboard.html (Ctrl-C stops)`);
if (api !== null && (await waitUntilReady(apiUrl, api, 120_000))) log.info({ apiUrl }, 'the API is ready');
console.log(
  JSON.stringify({
    url: pageUrl,
    dashboardUrl: `${pageUrl}/dashboard.html`,
    apiUrl,
    startedApi: api !== null,
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopApi(api);
    server.close().then(() => process.exit(0));
  });
}

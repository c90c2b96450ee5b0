import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@mri/logging';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { withDashboardOptions } from './dashboard/options.js';
import { dashboardHandler } from './dashboard/routes.js';
import { defaultDistDir } from './dist-dir.js';
import { describeListenError } from './listen-error.js';
import { startWebServer } from './static-server.js';

// Serves an already built page (the container's entry point). `pnpm web` builds first and may start the API too.

const log = createLogger({ name: 'web' });

const argv = await withDashboardOptions(
  yargs(hideBin(process.argv))
    .scriptName('mri-web')
    .usage('$0: serve the built upload page and /config.json')
    .option('port', {
      type: 'number',
      default: Number(process.env.PORT ?? 5173),
      describe: 'port (env PORT)',
    })
    .option('host', {
      type: 'string',
      default: process.env.HOST ?? '127.0.0.1',
      describe: 'address (env HOST)',
    })
    .option('api-url', {
      type: 'string',
      default: process.env.API_URL,
      describe: "the API's URL (env API_URL)",
    })
    .option('root', {
      type: 'string',
      default: process.env.WEB_ROOT ?? defaultDistDir,
      describe: 'built page',
    }),
)
  .strict()
  .parse();

if (!existsSync(join(argv.root, 'index.html'))) {
  log.error(`No built page in ${argv.root}: run \`pnpm --filter @mri/web build\` first (or \`pnpm web\`).`);
  process.exit(1);
}

const server = await startWebServer({
  root: argv.root,
  port: argv.port,
  host: argv.host,
  apiUrl: argv.apiUrl,
  dashboard: dashboardHandler({ runsUrl: argv.runsUrl, registryUrl: argv.registryUrl }),
}).catch((error: unknown) => {
  log.error(describeListenError(error, argv.port));
  process.exit(1);
});
log.info({ url: server.url, apiUrl: argv.apiUrl ?? '(build-time default)' }, 'serving the upload page');
console.log(JSON.stringify({ url: server.url, apiUrl: argv.apiUrl ?? null }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}

// `pnpm serve`: compiles the service to plain JavaScript (esbuild, only when a source changed), then runs it.
// Running compiled code instead of tsx saves each worker thread its own TypeScript loader: measured here,
// ~120 MB less resident memory with two workers, and a faster start. `--build-only` compiles and exits
// (for container images: build once, then `node packages/api/dist/main.mjs`).
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const packages = join(here, '..');
const entry = join(here, 'dist', 'main.mjs');

/**
 * Packages left outside the bundle, loaded from node_modules at run time: native addons (their binaries cannot be
 * bundled) and the large clients a service loads only on first use.
 */
const UNBUNDLED = ['sharp', '@napi-rs/image', '@julusian/jpeg-turbo', '@google-cloud/storage', 'pino-pretty'];

/** Files under each @mri package's src/, relative to it. */
function sources(name) {
  try {
    return readdirSync(join(packages, name, 'src'), { recursive: true });
  } catch {
    return [];
  }
}

/**
 * Newest modification time of what the bundle depends on: this recipe, every @mri package's sources, the install.
 * Synchronous on purpose: a few hundred stat calls in a row take milliseconds, where awaiting each one in turn
 * added tens of milliseconds to every start.
 */
function newestSource() {
  const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  // An install can move dependencies, whose resolved paths the bundle records.
  let newest = Math.max(
    mtime(join(packages, '..', 'node_modules', '.modules.yaml')),
    mtime(fileURLToPath(import.meta.url)),
  );
  for (const name of readdirSync(packages)) {
    for (const file of sources(name)) {
      if (/\.(ts|mjs|wasm|json)$/.test(file))
        newest = Math.max(newest, mtime(join(packages, name, 'src', file)));
    }
  }
  return newest;
}

async function build(outdir) {
  const esbuild = await import('esbuild');
  // Dependencies stay outside the bundle but are resolved now, from the package that imports them, so a
  // workspace package's own dependencies (not hoisted to the api package) are found at run time too.
  // Dependencies are bundled with the service: a few files instead of hundreds of modules to resolve, stat, read
  // and wrap one by one (Fastify, its plugins, ajv, zod, prom-client, pino), which was most of the main thread's
  // start (README, "Running compiled"). esbuild honours each package's own "sideEffects", so what nothing calls is
  // left out.
  const external = {
    name: 'external-dependencies',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('@mri/') || args.pluginData === 'resolving') return undefined;
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const found = await builder.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: 'resolving',
        });
        if (found.errors.length > 0) return { errors: found.errors };
        // A Node built-in named without `node:`.
        if (!isAbsolute(found.path)) return { path: args.path, external: true };
        if (args.path.startsWith('@tensorflow/')) return { path: found.path, namespace: 'required' };
        // Resolved now, from the package that imports it, so a workspace package's own dependencies (not hoisted
        // to the api package) are found at run time too.
        if (UNBUNDLED.some((name) => args.path === name || args.path.startsWith(`${name}/`))) {
          return { path: found.path, external: true };
        }
        return { path: found.path };
      });
      // tfjs ships CommonJS bundles of several MB. Imported from ESM, Node first scans each for its export names
      // (cjs-module-lexer): ~0.35 s of a worker's start-up here. Required, they just load. tfjs registers its
      // backends on load, so these modules keep their side effects.
      builder.onResolve({ filter: /.*/, namespace: 'required' }, (args) => ({
        path: args.path,
        external: true,
      }));
      builder.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
  await esbuild.build({
    entryPoints: {
      main: join(here, 'src/main.ts'),
      worker: join(here, 'src/inference/worker.ts'),
      'explain-worker': join(here, 'src/explain-worker.ts'),
      'probe-worker': join(here, 'src/probe-worker.ts'),
    },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    plugins: [external],
    logLevel: 'warning',
    // The `require` the modules above call, in an ES module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  await esbuild.stop();
  // Assets a package finds next to its module (`new URL('./x.wasm', import.meta.url)`) must sit next to the
  // bundle now, from any depth of a package's sources; without them the data package's SIMD resize falls back to
  // scalar JavaScript and the kernels package's convolution to XNNPACK's, quietly.
  const copied = new Map();
  for (const name of readdirSync(packages)) {
    for (const file of sources(name)) {
      if (!file.endsWith('.wasm')) continue;
      const from = join(packages, name, 'src', file);
      const base = basename(file);
      if (copied.has(base)) throw new Error(`${from} and ${copied.get(base)} share a name in dist/`);
      copied.set(base, from);
      copyFileSync(from, join(outdir, base));
    }
  }
}

const fresh = () => (statSync(entry, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= newestSource();

/**
 * Builds when a source changed, one process at a time (several services or tests may start at once): the others wait
 * for the lock and then find the bundle fresh. The bundle is written to a folder of its own and swapped in whole, so
 * a build that dies leaves the previous one intact.
 */
async function ensureBuilt() {
  const lock = join(here, '.dist.lock');
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than any build is a builder that died holding it.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    if (fresh()) return;
    const next = join(here, `.dist-${process.pid}`);
    const previous = join(here, `.dist-old-${process.pid}`);
    rmSync(next, { recursive: true, force: true });
    await build(next);
    const dist = join(here, 'dist');
    if (statSync(dist, { throwIfNoEntry: false })) renameSync(dist, previous);
    renameSync(next, dist);
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

await ensureBuilt();
if (!process.argv.includes('--build-only')) await import(entry);

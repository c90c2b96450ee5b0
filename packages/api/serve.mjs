// `pnpm serve`: compiles the service to plain JavaScript (esbuild, only when a source changed), then runs it.
// Running compiled code instead of tsx saves each worker thread its own TypeScript loader: measured here,
// ~120 MB less resident memory with two workers, and a faster start. `--build-only` compiles and exits
// (for container images: build once, then `node packages/api/dist/main.mjs`).
import { copyFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const packages = join(here, '..');
const entry = join(here, 'dist', 'main.mjs');

/** Newest modification time of what the bundle depends on: this recipe, every @mri package's sources, the install. */
async function newestSource() {
  // An install can move dependencies, whose resolved paths the bundle records.
  let newest = await stat(join(packages, '..', 'node_modules', '.modules.yaml')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  newest = Math.max(newest, (await stat(fileURLToPath(import.meta.url))).mtimeMs);
  for (const name of await readdir(packages)) {
    const src = join(packages, name, 'src');
    const files = await readdir(src, { recursive: true }).catch(() => []);
    for (const file of files) {
      if (!/\.(ts|mjs|wasm)$/.test(file)) continue;
      newest = Math.max(newest, (await stat(join(src, file))).mtimeMs);
    }
  }
  return newest;
}

async function build() {
  const esbuild = await import('esbuild');
  // Dependencies stay outside the bundle but are resolved now, from the package that imports them, so a
  // workspace package's own dependencies (not hoisted to the api package) are found at run time too.
  const external = {
    name: 'external-dependencies',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        // Workspace packages are bundled; those that import nothing for its effect say so in their package.json
        // ("sideEffects"), so the bundle keeps what the service calls and drops the rest.
        if (args.path.startsWith('@mri/') || args.pluginData === 'resolving') return undefined;
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const found = await builder.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: 'resolving',
        });
        if (found.errors.length > 0) return { errors: found.errors };
        if (args.path.startsWith('@tensorflow/')) return { path: found.path, namespace: 'required' };
        // Declared free of side effects, so an import whose bindings nothing uses is dropped and its package never
        // loaded. tfjs is the exception: its backends register themselves on import.
        return { path: found.path, external: true, sideEffects: false };
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
  await rm(join(here, 'dist'), { recursive: true, force: true });
  await esbuild.build({
    entryPoints: {
      main: join(here, 'src/main.ts'),
      worker: join(here, 'src/inference/worker.ts'),
      'explain-worker': join(here, 'src/explain-worker.ts'),
    },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: join(here, 'dist'),
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
  for (const name of await readdir(packages)) {
    const src = join(packages, name, 'src');
    for (const file of await readdir(src, { recursive: true }).catch(() => [])) {
      if (!file.endsWith('.wasm')) continue;
      const base = basename(file);
      if (copied.has(base))
        throw new Error(`${join(src, file)} and ${copied.get(base)} share a name in dist/`);
      copied.set(base, join(src, file));
      await copyFile(join(src, file), join(here, 'dist', base));
    }
  }
}

const built = await stat(entry).then(
  (info) => info.mtimeMs,
  () => 0,
);
if (built < (await newestSource())) await build();
if (!process.argv.includes('--build-only')) await import(entry);

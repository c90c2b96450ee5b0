// Builds our WebAssembly kernels from their AssemblyScript sources (src/wasm/*.ts) next to the code that
// loads them. `--out DIR` writes elsewhere (the test that checks the committed binaries are these sources' build).
// The convolution modules are also built with relaxed SIMD (NAME.fma.wasm): their multiply-adds become fused
// instructions (wasm/madd.ts), loaded where the engine has relaxed SIMD.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// The one list of our modules, and which of them also have a relaxed-SIMD build: the loader (src/simd.ts) reads it too.
const { modules: KERNELS, fma: FMA_KERNELS } = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'src', 'wasm-modules.json'), 'utf8'),
);
/** Every binary this script writes, by file name. */
export const BINARIES = [
  ...KERNELS.map((name) => `${name}.wasm`),
  ...FMA_KERNELS.map((name) => `${name}.fma.wasm`),
];

const here = join(import.meta.dirname, '..');
const asc = join(here, 'node_modules', '.bin', 'asc');

function build(name, file, features, outDir) {
  const source = join(here, 'src', 'wasm', `${name}.ts`);
  // AS112 warns that madd.ts exports a function taking v128 values: it is imported by our modules, never by a host.
  const flags = ['--runtime', 'stub', '-O3', '--noAssert', '--importMemory', '--enable', features];
  if (FMA_KERNELS.includes(name)) flags.push('--disableWarning', '112');
  const run = spawnSync(asc, [source, '-o', join(outDir, file), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = values.out ?? join(here, 'src');
  for (const name of KERNELS) build(name, `${name}.wasm`, 'simd', outDir);
  for (const name of FMA_KERNELS) build(name, `${name}.fma.wasm`, 'simd,relaxed-simd', outDir);
}

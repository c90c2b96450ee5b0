// Builds our WebAssembly kernels from their AssemblyScript sources (src/kernels/wasm/*.ts) next to the code that
// loads them. `--out DIR` writes elsewhere (the test that checks the committed binaries are these sources' build).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const KERNELS = ['max-pool-grad', 'patches', 'batch-norm', 'relu-grad'];
const here = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out ?? join(here, 'src', 'kernels');
const asc = join(here, 'node_modules', '.bin', 'asc');
for (const name of KERNELS) {
  const source = join(here, 'src', 'kernels', 'wasm', `${name}.ts`);
  const flags = ['--runtime', 'stub', '-O3', '--noAssert', '--importMemory', '--enable', 'simd'];
  const build = spawnSync(asc, [source, '-o', join(outDir, `${name}.wasm`), ...flags], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

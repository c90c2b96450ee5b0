import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'mri-kernels-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('our WebAssembly kernels', () => {
  it('ship exactly as built from their AssemblyScript sources', () => {
    const build = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--out', outDir], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    for (const name of ['max-pool-grad', 'patches', 'batch-norm', 'relu-grad']) {
      const built = readFileSync(join(outDir, `${name}.wasm`));
      expect(built.equals(readFileSync(join(packageDir, 'src', 'kernels', `${name}.wasm`))), name).toBe(true);
    }
  }, 60_000);
});

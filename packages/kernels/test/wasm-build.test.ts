import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, typed by nothing
import { BINARIES } from '../scripts/build-wasm.mjs';
import { wasmFiles } from '../src/simd.js';

const packageDir = join(import.meta.dirname, '..');
const outDir = mkdtempSync(join(tmpdir(), 'mri-kernels-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('our WebAssembly kernels', () => {
  it('ship exactly as built from their AssemblyScript sources', () => {
    const build = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--out', outDir], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    for (const file of BINARIES as string[]) {
      const built = readFileSync(join(outDir, file));
      expect(built.equals(readFileSync(join(packageDir, 'src', file))), file).toBe(true);
    }
  }, 300_000);

  it('are the binaries the loader reads: every build file is loaded by one build, and nothing else is', () => {
    const loaded = new Set([...wasmFiles('plain'), ...wasmFiles('fma')]);
    expect([...loaded].sort()).toEqual([...(BINARIES as string[])].sort());
  });
});

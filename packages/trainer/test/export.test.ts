/** `pnpm export onnx`: the command as a user runs it, on the shipped model through an empty registry. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.js';

const CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'trainer-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const exportOnnx = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, 'export', 'onnx', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });

describe('pnpm export onnx', () => {
  it('writes production of an empty registry (seeded with the shipped model) as one ONNX file and says what it wrote', () => {
    const out = join(root, 'out', 'model.onnx');
    const registry = join(root, 'registry');
    const result = exportOnnx('production', '--registry', registry, '--out', out);
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({
      out,
      architecture: 'compact',
      input: [null, 112, 112, 1],
      classes: ['glioma', 'meningioma', 'notumor', 'pituitary'],
    });
    expect(statSync(out).size).toBe(summary.bytes);
    // The weights are in it (BatchNorm folded into the convolutions: a little smaller), and the graph's output.
    expect(summary.bytes).toBeGreaterThan(
      0.9 * statSync(join(REPO_ROOT, 'reports', 'model', 'weights.bin')).size,
    );
    expect(readFileSync(out).includes('probabilities')).toBe(true);
    expect(readdirSync(join(root, 'out'))).toEqual(['model.onnx']); // no temp file left
    expect(existsSync(join(registry, 'registry.json'))).toBe(true);
  }, 120_000);

  it('a reference that is neither a model folder nor a registry version is one sentence, and writes nothing', () => {
    const out = join(root, 'none.onnx');
    const result = exportOnnx(
      join(root, 'no-such-model'),
      '--registry',
      join(root, 'registry'),
      '--out',
      out,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: .*no-such-model/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

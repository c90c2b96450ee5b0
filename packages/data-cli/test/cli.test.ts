import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@mri/data';
import { describe, expect, it, vi } from 'vitest';
import { sampleCopy, tempDir } from './helpers.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'data-cli', 'src', 'cli.ts');

function data(args: string[], cwd = tempDir()) {
  const result = spawnSync(TSX, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('data CLI', () => {
  it('processes a dataset from any cwd and ends stdout with the JSON summary', () => {
    const root = sampleCopy(3);
    const cacheDir = join(tempDir(), 'cache');
    const run = data(['process', '--root', root, '--size', '24', '--cache-dir', cacheDir]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^12 images \(glioma 3, meningioma 3, notumor 3, pituitary 3\) at 24x24; 12 decoded/,
    );
    const summary = JSON.parse(lines.at(-1) ?? '');
    expect(summary).toMatchObject({ images: 12, size: 24, reused: false, cacheDir });
    const again = data(['process', '--root', root, '--size', '24', '--cache-dir', cacheDir]);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
      reused: true,
      decoded: 0,
    });
  });

  it('stops on a missing root with one sentence and no stack trace', () => {
    const run = data(['process', '--root', '/no/such/dataset']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'Dataset folder /no/such/dataset does not exist; set the data root (--root for pnpm data, data.root= for pnpm train) to a folder of class folders.',
    );
    expect(run.stdout).toBe('');
  });

  it('stops on an empty class with one sentence', () => {
    const root = sampleCopy(1);
    mkdirSync(join(root, 'Training', 'empty'));
    const run = data(['process', '--root', root, '--cache-dir', join(tempDir(), 'c')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^Class folder .*empty holds no \.jpg, \.jpeg or \.png images; add some or remove it\.$/,
    );
  });

  it('refuses an unknown command with usage help and a non-zero exit', () => {
    const run = data(['frobnicate']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Unknown argument: frobnicate/);
  });
});

describe('runCli (in process)', () => {
  it('runs process and returns 0, printing the JSON summary last', async () => {
    const { runCli } = await import('../src/cli.js');
    const logged: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => logged.push(line));
    try {
      const root = sampleCopy(2);
      const status = await runCli([
        'process',
        '--root',
        root,
        '--size',
        '16',
        '--cache-dir',
        join(tempDir(), 'c'),
      ]);
      expect(status).toBe(0);
      expect(JSON.parse(logged.at(-1) ?? '')).toMatchObject({ images: 8, size: 16 });
    } finally {
      log.mockRestore();
    }
  });

  it('returns 1 with one sentence for a user error', async () => {
    const { runCli } = await import('../src/cli.js');
    const errors: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    try {
      expect(await runCli(['process', '--root', '/no/such/root'])).toBe(1);
      expect(errors).toEqual([
        'Dataset folder /no/such/root does not exist; set the data root (--root for pnpm data, data.root= for pnpm train) to a folder of class folders.',
      ]);
    } finally {
      error.mockRestore();
    }
  });
});

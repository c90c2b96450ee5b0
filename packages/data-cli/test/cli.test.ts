import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@mri/data';
import { describe, expect, it, vi } from 'vitest';
import { sampleCopy, tempDir } from './helpers.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'data-cli', 'src', 'cli.ts');

function data(args: string[], cwd = tempDir(), env: Record<string, string> = {}) {
  const result = spawnSync(TSX, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('data CLI', () => {
  it('processes a dataset from any cwd and ends stdout with the JSON summary', () => {
    const root = sampleCopy(3);
    const cacheDir = join(tempDir(), 'cache');
    const run = data(['process', '--root', root, '--size', '24', '--cache-dir', cacheDir]);
    expect(run.status, run.stderr).toBe(0);
    // Piped: stdout is the JSON summary alone.
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines.at(-1) ?? '');
    expect(summary).toMatchObject({ images: 12, size: 24, reused: false, cacheDir });
    const again = data(['process', '--root', root, '--size', '24', '--cache-dir', cacheDir]);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
      reused: true,
      decoded: 0,
    });
  });

  it('for a person (LOG_FORMAT=pretty, as at a terminal), ends with sentences and a table on stderr', () => {
    const root = sampleCopy(2);
    const run = data(
      ['process', '--root', root, '--size', '16', '--cache-dir', join(tempDir(), 'c')],
      tempDir(),
      {
        LOG_FORMAT: 'pretty',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^8 images at 16x16; 8 decoded; 0 skipped$/m);
    expect(run.stderr).toMatch(/^split: \d+ train, \d+ validation, \d+ test -> /m);
    expect(run.stderr).toMatch(/│\s*\d+\s*│\s*'glioma'\s*│\s*2\s*│/);
    expect(run.stderr).not.toMatch(/^\{/m);
    // stdout is not the terminal here, so the JSON summary is still its last line.
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ images: 8 });
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
    const log = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((line) => logged.push(String(line).trim()) > 0);
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

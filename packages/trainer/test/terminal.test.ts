/**
 * What `pnpm train` prints for a person at a real terminal (a pseudo-terminal from util-linux `script`), and for a
 * machine reading a pipe: readable epoch lines and a summary table in the one, JSON lines in the other.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.js';

const CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'trainer-terminal-'));
const quick = [
  'training=smoke',
  'training.epochs=2',
  'data.image_size=32',
  'workers=0',
  'registry.register=false',
  `output_dir=${join(root, 'outputs')}`,
];

/** The environment of a person's shell: no CI, no container, no format asked for. */
function personEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'CI',
    'container',
    'KUBERNETES_SERVICE_HOST',
    'LOG_FORMAT',
    'K_SERVICE',
    'CLOUD_RUN_JOB',
  ]) {
    delete env[key];
  }
  return env;
}

/** Runs the trainer CLI in a pseudo-terminal; returns what the terminal showed, colours and cursor moves removed. */
function atTerminal(args: string[]): { status: number | null; screen: string } {
  const command = [process.execPath, '--import', 'tsx', CLI, ...args].map((a) => `'${a}'`).join(' ');
  const result = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: personEnv(),
    timeout: 120_000,
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what is removed
  const screen = result.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return { status: result.status, screen };
}

describe('pnpm train for a person at a terminal', () => {
  it('prints one readable line per epoch and a summary table, no JSON', () => {
    const { status, screen } = atTerminal(['train', ...quick]);
    expect(status, screen).toBe(0);
    const epochLines = screen.split('\n').filter((line) => /\bepoch \d\/2 \|/.test(line));
    expect(epochLines).toHaveLength(2);
    for (const line of epochLines) {
      expect(line).toMatch(
        /epoch \d\/2 \| loss \d[\d.]* acc [\d.]+ \| val loss [\d.]+ acc [\d.]+ f1 [\d.]+ \| [\d.]+s, eta \d+s/,
      );
    }
    expect(screen).toMatch(/^Run completed$/m);
    expect(screen).toMatch(/│\s*val accuracy\s*│\s*'\d+\.\d %/);
    expect(screen).toMatch(/│\s*run folder\s*│/);
    expect(screen).not.toMatch(/^\s*\{"/m);
  });

  it('says what is wrong in one sentence, without a stack trace', () => {
    const { status, screen } = atTerminal(['train', 'training.epochz=3']);
    expect(status).toBe(1);
    expect(screen.trim()).toMatch(
      /^error: Cannot override training\.epochz: no such key in the config .*\.$/,
    );
    expect(screen).not.toMatch(/^\s+at /m);
  });
});

let trainedRun = '';

describe('pnpm train for a machine', () => {
  it('writes JSON log lines to a pipe, and the JSON summary then the run folder on stdout', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'train', ...quick], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: personEnv(),
    });
    expect(result.status, result.stderr).toBe(0);
    const logLines = result.stderr.trim().split('\n');
    const parsed = logLines.map((line) => JSON.parse(line) as { msg: string; val_accuracy?: number });
    expect(parsed.filter((l) => /^epoch \d\/2$/.test(l.msg)).map((l) => typeof l.val_accuracy)).toEqual([
      'number',
      'number',
    ]);
    const stdout = result.stdout.trim().split('\n');
    expect(JSON.parse(stdout.at(-2) as string)).toMatchObject({ status: 'completed', epochs: 2 });
    expect(stdout.at(-1)).toMatch(/outputs\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}(-\d+)?$/);
    trainedRun = stdout.at(-1) as string;
  });
});

describe('pnpm predict', () => {
  const glioma = join(REPO_ROOT, 'sample', 'brain-mri', 'Testing', 'glioma');

  it('answers each image of a folder: JSON for a machine, a table for a person, a reason for a bad file', () => {
    const bad = join(root, 'not-an-image.jpg');
    writeFileSync(bad, 'plain text');
    const model = ['--model', join(trainedRun, 'model')];
    const piped = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'predict', glioma, bad, ...model], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: personEnv(),
    });
    expect(piped.status, piped.stderr).toBe(1);
    const result = JSON.parse(piped.stdout.trim().split('\n').at(-1) as string);
    const images = readdirSync(glioma).filter((f) => f.endsWith('.jpg'));
    expect(result.predictions).toHaveLength(images.length + 1);
    for (const p of result.predictions.slice(0, -1)) {
      expect(Object.keys(p.scores).sort()).toEqual(['glioma', 'meningioma', 'notumor', 'pituitary']);
      expect(p.probability).toBe(Math.max(...(Object.values(p.scores) as number[])));
    }
    expect(result.predictions.at(-1)).toMatchObject({ file: bad, class: null, error: expect.any(String) });

    const { screen } = atTerminal(['predict', glioma, ...model]);
    expect(screen).toMatch(
      new RegExp(
        `│\\s*'[^']*${images[0]}'\\s*│\\s*'(glioma|meningioma|notumor|pituitary)'\\s*│\\s*'\\d+\\.\\d %'`,
      ),
    );
    expect(screen).not.toMatch(/^\s*\{"/m);
  });
});

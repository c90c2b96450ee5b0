/**
 * What `pnpm train` prints for a person at a real terminal (a pseudo-terminal from util-linux `script`), and for a
 * machine reading a pipe: readable epoch lines and a summary table in the one, JSON lines in the other.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
  return atTerminalCommand([process.execPath, '--import', 'tsx', CLI, ...args]);
}

function atTerminalCommand(argv: string[]): { status: number | null; screen: string } {
  const command = argv.map((a) => `'${a}'`).join(' ');
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
  const PREDICT = join(REPO_ROOT, 'packages', 'trainer', 'src', 'commands', 'predict.ts');

  it('ends with the JSON summary for a machine and a table for a person; a bad file is listed, not fatal', () => {
    const folder = mkdtempSync(join(root, 'images-'));
    const images = readdirSync(glioma).filter((f) => f.endsWith('.jpg'));
    for (const image of images) copyFileSync(join(glioma, image), join(folder, image));
    writeFileSync(join(folder, 'not-an-image.jpg'), 'plain text');
    const model = ['--model', join(trainedRun, 'model')];
    const piped = spawnSync(
      process.execPath,
      ['--import', 'tsx', PREDICT, folder, ...model, '--out', join(root, 'piped.jsonl'), '--workers', '1'],
      { cwd: REPO_ROOT, encoding: 'utf8', env: personEnv() },
    );
    expect(piped.status, piped.stderr).toBe(0);
    const summary = JSON.parse(piped.stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ images: images.length + 1, predicted: images.length });
    expect(summary.failed).toEqual([{ file: 'not-an-image.jpg', reason: expect.any(String) }]);

    const command = [process.execPath, '--import', 'tsx', PREDICT, folder, ...model];
    const { screen } = atTerminalCommand([
      ...command,
      '--out',
      join(root, 'terminal.jsonl'),
      '--workers',
      '1',
    ]);
    expect(screen).toMatch(/^Predictions written$/m);
    expect(screen).toMatch(new RegExp(`│\\s*predicted\\s*│\\s*${images.length}\\s*│`));
    expect(screen).not.toMatch(/^\s*\{"/m);
  });
});

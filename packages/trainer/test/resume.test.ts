/**
 * Training that survives being killed, on the embedded sample with the real engine: a `pnpm train` process killed
 * with SIGKILL mid-training shows as interrupted, and `pnpm train --resume` (or `training.resume=auto`, as a retried
 * cloud task runs it) ends with exactly the metrics, history and weights of a run that was never interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeConfig } from '../src/config/index.js';
import { writeJson, writeYaml } from '../src/files.js';
import { CONFIG_DIR, REPO_ROOT } from '../src/paths.js';
import { readRun } from '../src/runs/list.js';
import { findResumableRun } from '../src/runs/resume.js';
import { checkpointPath, readCheckpoint } from '../src/train/checkpoint.js';
import { train } from '../src/train/run.js';

const CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'trainer-resume-'));
const outputs = join(root, 'outputs');
// Everything a resume has to restore: one-cycle's schedule position, AdamW's moments, the shuffles and the random
// flips and rotations, BatchNorm's moving statistics and dropout.
const recipe = [
  'training=smoke',
  'data.image_size=32',
  'workers=0',
  'registry.register=false',
  'training.lr_schedule=one_cycle',
  'training.augmentation.flip=true',
  'training.augmentation.rotation_degrees=10',
  `output_dir=${outputs}`,
];

interface Child {
  readonly child: ChildProcess;
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  /** Resolves with the first JSON log line whose message matches. */
  line(message: RegExp): Promise<Record<string, unknown>>;
}

function runCli(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_FORMAT: 'json' },
  });
  let stdout = '';
  let stderr = '';
  const waiting: { message: RegExp; resolve: (line: Record<string, unknown>) => void }[] = [];
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
    for (const text of stderr.split('\n')) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      for (const w of waiting.filter((w) => w.message.test(String(line.msg)))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
    stderr = stderr.slice(stderr.lastIndexOf('\n') + 1);
  });
  let allStderr = '';
  child.stderr?.on('data', (d) => {
    allStderr += d;
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: allStderr })));
  return {
    child,
    done,
    line: (message) => new Promise((resolve) => waiting.push({ message, resolve })),
  };
}

const withoutTimings = (history: Record<string, number>[]) =>
  history.map(({ seconds: _s, train_img_s: _t, ...rest }) => rest);

function finalRecord(runDir: string) {
  const metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
  return {
    status: metrics.status,
    best_epoch: metrics.best_epoch,
    epochs: metrics.epochs,
    metrics: metrics.metrics,
    history: withoutTimings(metrics.history),
    jsonl: withoutTimings(
      readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ),
  };
}

/** Starts a run, kills it with SIGKILL once `afterEpoch` has ended and the next is under way; returns its folder. */
async function killedRun(overrides: string[], afterEpoch: number): Promise<string> {
  const run = runCli(['train', ...overrides]);
  const started = await run.line(/^run started$/);
  const runDir = String(started.runDir);
  await run.line(new RegExp(`^epoch ${afterEpoch}/`));
  // The checkpoint follows the epoch's line; then the next epoch is training when the kill lands.
  while (!existsSync(checkpointPath(runDir))) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 150));
  run.child.kill('SIGKILL');
  const { signal } = await run.done;
  expect(signal).toBe('SIGKILL');
  return runDir;
}

describe('a run killed with SIGKILL', () => {
  it('shows as interrupted, and --resume ends with the metrics and weights of an uninterrupted run', async () => {
    const overrides = [...recipe, 'training.epochs=3'];
    const uninterrupted = await train(composeConfig({ configDir: CONFIG_DIR, overrides }), {
      progress: false,
    });

    const runDir = await killedRun(overrides, 1);
    const before = readRun(runDir, outputs);
    expect(before?.status).toBe('interrupted');
    const checkpoint = readCheckpoint(runDir);
    expect(checkpoint.epoch).toBeGreaterThanOrEqual(1);
    expect(checkpoint.epoch).toBeLessThan(3);

    const runs = runCli(['runs', `output_dir=${outputs}`]);
    const listed = await runs.done;
    expect(listed.code, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((l) => l.startsWith(before?.run as string));
    expect(row).toMatch(/\binterrupted\b/);

    const resumed = runCli(['train', '--resume', runDir]);
    const resuming = await resumed.line(/^resuming after epoch/);
    expect(resuming.epoch).toBe(checkpoint.epoch);
    const { code, stdout, stderr } = await resumed.done;
    expect(code, stderr).toBe(0);
    expect(stdout.trim().split('\n').at(-1)).toBe(runDir);

    const expected = finalRecord(uninterrupted.run_dir);
    expect(expected.status).toBe('completed');
    expect(finalRecord(runDir)).toEqual(expected);
    expect(readFileSync(join(runDir, 'model', 'weights.bin'))).toEqual(
      readFileSync(join(uninterrupted.run_dir, 'model', 'weights.bin')),
    );
    expect(readRun(runDir, outputs)?.status).toBe('completed');
  }, 600_000);

  it('with training.resume=auto, the same command run again continues the killed run', async () => {
    const overrides = [...recipe, 'training.epochs=3', 'training.resume=auto'];
    const runDir = await killedRun(overrides, 1);
    const composed = composeConfig({ configDir: CONFIG_DIR, overrides });
    const summary = await train(composed, { progress: false });
    expect(summary.run_dir).toBe(runDir);
    expect(summary).toMatchObject({ status: 'completed', epochs: 3 });
    // Finished now: the same command run again would start a new run.
    expect(findResumableRun(outputs, composed.hash)).toBeUndefined();
  }, 300_000);

  it('refuses, in one sentence, to resume a finished run or a run with overrides', async () => {
    const runDir = join(outputs, 'finished');
    const { config } = composeConfig({ configDir: CONFIG_DIR, overrides: recipe });
    writeYaml(join(runDir, 'config.yaml'), config);
    writeJson(join(runDir, 'metrics.json'), { status: 'completed' });
    const finished = await runCli(['train', '--resume', runDir]).done;
    expect(finished.code).toBe(1);
    expect(finished.stderr.trim()).toBe(
      `error: Cannot resume ${runDir}: it finished (completed); start a new run with pnpm train.`,
    );
    const withOverrides = await runCli(['train', '--resume', runDir, 'training.epochs=9']).done;
    expect(withOverrides.code).toBe(1);
    expect(withOverrides.stderr.trim()).toMatch(
      /^error: --resume continues .* drop the overrides \(training.epochs=9\)/,
    );
  });
});

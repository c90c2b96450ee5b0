/**
 * End to end on the embedded sample with the real engine: the CLI trains one short epoch and writes every file a
 * run promises; the same config trains to the same metrics again; evaluate and visualize read the saved model back;
 * Ctrl-C stops cleanly with the best checkpoint kept.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@mri/logging';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { composeConfig } from '../src/config/index.js';
import { evaluateModel } from '../src/evaluation/evaluate.js';
import { visualizeEmbeddings } from '../src/evaluation/visualize.js';
import { CONFIG_DIR, REPO_ROOT } from '../src/paths.js';
import { readSweepSpec } from '../src/sweep/spec.js';
import { runSweep } from '../src/sweep/sweep.js';
import { train } from '../src/train/run.js';

const CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'trainer-e2e-'));
const quick = [
  'training=smoke',
  'data.image_size=32',
  'workers=0',
  `output_dir=${join(root, 'outputs')}`,
  `registry.url=${join(root, 'registry')}`,
];

function runCli(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  // As the root scripts start it: node with tsx's loader. (The tsx CLI relays Ctrl-C by SIGKILL when the child is
  // busy for more than 30 ms, which a training step always is.)
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

const withoutTimings = (jsonl: string) =>
  jsonl
    .trim()
    .split('\n')
    .map((line) => {
      const { seconds: _s, train_img_s: _t, ...rest } = JSON.parse(line);
      return rest;
    });

describe('pnpm train on the sample', () => {
  let runDir = '';
  let stdoutLines: string[] = [];

  beforeAll(async () => {
    const { done } = runCli(['train', ...quick, '--profile']);
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(0);
    stdoutLines = stdout.trim().split('\n');
    runDir = stdoutLines.at(-1) as string;
  });

  it('prints the run folder last, after a JSON summary, under OUTPUT/YYYY-MM-DD/HH-MM-SS', () => {
    expect(runDir).toMatch(/outputs\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}$/);
    const summary = JSON.parse(stdoutLines.at(-2) as string);
    expect(summary).toMatchObject({
      run_dir: runDir,
      status: 'completed',
      epochs: 1,
      best_epoch: 1,
      // v1 is the shipped model, seeded into the empty registry before registering.
      model_version: 'v2',
    });
    expect(summary.metrics.val_accuracy).toBeGreaterThanOrEqual(0);
    // The gate (registry.promote: auto) kept production on the shipped model and recorded why.
    const index = JSON.parse(readFileSync(join(root, 'registry', 'registry.json'), 'utf8'));
    expect(index.aliases).toMatchObject({ production: 'v1', latest: 'v2' });
    expect(index.versions[1].promotions[0]).toMatchObject({ alias: 'production', decision: 'refused' });
  });

  it('writes the resolved config, the log, per-epoch and final metrics, the model and the figures', async () => {
    const config = parseYaml(readFileSync(join(runDir, 'config.yaml'), 'utf8'));
    expect(config).toMatchObject({
      data: { image_size: 32 },
      training: { epochs: 1 },
      model: { architecture: 'compact' },
    });
    const log = readFileSync(join(runDir, 'train.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['run started', 'epoch 1/1', 'run finished']),
    );
    expect(withoutTimings(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8'))).toHaveLength(1);
    const final = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
    expect(final.metrics).toHaveProperty('val_macro_f1');
    expect(final.data_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(join(runDir, 'model'))).toEqual(expect.arrayContaining(['metadata.json']));
    for (const figure of ['loss', 'accuracy', 'confusion_matrix', 'roc']) {
      const meta = await sharp(join(runDir, 'figures', `${figure}.png`)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(300);
    }
  });

  it('with --profile, writes a per-kernel time table and a CPU profile', () => {
    const kernels = JSON.parse(readFileSync(join(runDir, 'kernels.json'), 'utf8'));
    expect(kernels.length).toBeGreaterThan(3);
    expect(kernels.map((k: { kernel: string }) => k.kernel)).toEqual(expect.arrayContaining(['Conv2D']));
    expect(readFileSync(join(runDir, 'kernels.md'), 'utf8')).toMatch(
      /^\| kernel \| calls \| total ms \| share \|/,
    );
    expect(JSON.parse(readFileSync(join(runDir, 'profile.cpuprofile'), 'utf8')).nodes.length).toBeGreaterThan(
      10,
    );
  });

  it('trains to the same metrics from the same config and seed', async () => {
    const composed = composeConfig({
      configDir: CONFIG_DIR,
      overrides: [...quick, 'registry.register=false'],
    });
    const again = await train(composed, { progress: false });
    expect(withoutTimings(readFileSync(join(again.run_dir, 'metrics.jsonl'), 'utf8'))).toEqual(
      withoutTimings(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')),
    );
  });

  it('evaluates the registered model to the figures the run recorded for its best epoch', async () => {
    const { config } = composeConfig({ configDir: CONFIG_DIR, overrides: quick });
    const outDir = join(root, 'evaluation');
    const result = await evaluateModel({
      model: 'latest',
      split: 'validation',
      config,
      outDir,
      log: createLogger({ level: 'warn' }),
    });
    const recorded = JSON.parse(readFileSync(join(runDir, 'evaluation.json'), 'utf8'));
    expect(result.report.accuracy).toBeCloseTo(recorded.accuracy, 6);
    expect(result.report.confusion).toEqual(recorded.confusion);
    expect(existsSync(join(outDir, 'figures', 'confusion_matrix.png'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8')).perClass.glioma).toHaveProperty(
      'rocAuc',
    );
  });

  it('draws the penultimate-layer embedding of a split as a PNG', async () => {
    const { config } = composeConfig({ configDir: CONFIG_DIR, overrides: quick });
    const outDir = join(root, 'embedding');
    const result = await visualizeEmbeddings({
      model: join(runDir, 'model'),
      split: 'validation',
      config,
      outDir,
      log: createLogger({ level: 'warn' }),
      limit: 500,
    });
    expect(result.points).toBe(JSON.parse(readFileSync(join(runDir, 'evaluation.json'), 'utf8')).count);
    expect((await sharp(result.png).metadata()).format).toBe('png');
  });
});

describe('pnpm sweep on the sample', () => {
  it('trains every point and ranks the runs by the metric', async () => {
    const file = join(root, 'sweep.yaml');
    writeFileSync(
      file,
      stringify({
        method: 'grid',
        metric: 'val_accuracy',
        goal: 'maximize',
        max_runs: 2,
        seed: 0,
        fixed: ['+training.max_steps=3'],
        parameters: { 'optimizer.lr': [0.001, 0.01], 'training.batch_size': [8, 16] },
      }),
    );
    const { config } = composeConfig({ configDir: CONFIG_DIR, overrides: quick });
    const result = await runSweep({
      spec: readSweepSpec(file),
      configDir: CONFIG_DIR,
      overrides: quick,
      train: (composed, options) => train(composed, { ...options, progress: false }),
      log: createLogger({ level: 'warn' }),
      stopRequested: () => false,
    });
    expect(result.sweep_dir.startsWith(join(config.output_dir, 'sweeps'))).toBe(true);
    expect(result.leaderboard.map((r) => r.overrides)).toEqual(
      expect.arrayContaining([
        ['+training.max_steps=3', 'optimizer.lr=0.001', 'training.batch_size=8'],
        ['+training.max_steps=3', 'optimizer.lr=0.01', 'training.batch_size=8'],
      ]),
    );
    const scores = result.leaderboard.map((r) => r.score as number);
    expect(scores[0]).toBeGreaterThanOrEqual(scores[1] as number);
    const board = JSON.parse(readFileSync(join(result.sweep_dir, 'leaderboard.json'), 'utf8'));
    expect(board.runs[0].run_dir).toBe(result.leaderboard[0]?.run_dir);
    expect(existsSync(join(result.leaderboard[0]?.run_dir as string, 'model', 'metadata.json'))).toBe(true);
    expect(existsSync(join(root, 'registry', 'models', 'v3'))).toBe(false);
  });
});

describe('Ctrl-C during pnpm train', () => {
  it('stops after the current step, keeps the best checkpoint and exits with 130', async () => {
    const { child, done } = runCli(['train', ...quick, 'training.epochs=50', 'registry.register=false']);
    let interrupted = false;
    child.stderr?.on('data', (d: Buffer) => {
      if (!interrupted && d.toString().includes('"msg":"epoch 1/50"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const { code, stdout } = await done;
    expect(code).toBe(130);
    const runDir = stdout.trim().split('\n').at(-1) as string;
    const final = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
    expect(final.status).toBe('interrupted');
    expect(final.epochs).toBeLessThan(50);
    expect(existsSync(join(runDir, 'model', 'metadata.json'))).toBe(true);
  });
});

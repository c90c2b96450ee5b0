/**
 * Real run folders for the dashboard's tests: two training runs and a two-point sweep on the embedded sample, made
 * by the trainer's own commands (as a user would), with the two runs registered in their own registry. Built once
 * and cached under .cache/sample-runs/<hash> (the hash covers the commands and the sources they run), with the
 * sample model's hash and lock. Built in place, not staged and renamed like the sample model: run folders and the
 * registry record where they are. Callers copy the registry before changing it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash, withLock } from '@mri/model/testing';
import { REPO_ROOT } from '@mri/trainer';

const COMMON = ['data.image_size=64', 'workers=0', 'training.early_stopping_patience=0'];
const COMMANDS = [
  ['train', ...COMMON, 'training.epochs=3'],
  ['train', ...COMMON, 'training.epochs=2', 'optimizer=sgd', 'optimizer.lr=0.01'],
  ['sweep', ...COMMON],
];
const SWEEP = [
  'method: grid',
  'metric: val_accuracy',
  'goal: maximize',
  'max_runs: 2',
  'seed: 0',
  'fixed:',
  '  - training.epochs=2',
  'parameters:',
  '  optimizer.lr: [0.001, 0.003]',
  '',
].join('\n');

const CACHE = join(REPO_ROOT, '.cache', 'sample-runs');
const LOCK_STALE_MS = 15 * 60_000;

export interface SampleRuns {
  /** The trainer's output folder: two dated runs and sweeps/<date>/<time>/run-01, run-02. */
  readonly outputs: string;
  /** The registry the two runs were registered in (v1 production, v2 latest). Copy it before promoting. */
  readonly registry: string;
}

export async function ensureSampleRuns(): Promise<SampleRuns> {
  const root = join(CACHE, fixtureHash());
  const result = { outputs: join(root, 'outputs'), registry: join(root, 'registry') };
  if (existsSync(join(root, 'complete'))) return result;
  await withLock(
    join(CACHE, 'lock'),
    async () => {
      if (existsSync(join(root, 'complete'))) return;
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      const sweepFile = join(root, 'sweep.yaml');
      writeFileSync(sweepFile, SWEEP);
      const where = [`output_dir=${result.outputs}`, `registry.url=${result.registry}`];
      for (const [command, ...overrides] of COMMANDS) {
        const extra = command === 'sweep' ? ['--file', sweepFile] : [];
        const run = spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            'packages/trainer/src/cli.ts',
            command as string,
            ...extra,
            ...overrides,
            ...where,
          ],
          { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } },
        );
        if (run.status !== 0) throw new Error(`pnpm ${command} failed for the sample runs:\n${run.stderr}`);
      }
      writeFileSync(join(root, 'complete'), '');
    },
    LOCK_STALE_MS,
  );
  return result;
}

function fixtureHash(): string {
  return contentHash({
    salt: JSON.stringify({ COMMANDS, SWEEP }),
    root: REPO_ROOT,
    inputs: [
      'sample/brain-mri',
      'configs',
      'packages/data/src',
      'packages/model/src',
      'packages/trainer/src',
    ].map((dir) => join(REPO_ROOT, dir)),
  });
}

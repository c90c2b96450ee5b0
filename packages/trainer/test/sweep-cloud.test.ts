import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGcsServer } from '@mri/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/paths.js';
import { PLAN_ENV, planFromEnv, type SweepPlan, sweepPlan, taskIndex } from '../src/sweep/plan.js';
import type { SweepSpec } from '../src/sweep/spec.js';
import { cloudRunJob, runGcloud, vertexJobs, writeSubmission } from '../src/sweep/submit.js';

const CLI = join(REPO_ROOT, 'packages', 'trainer', 'src', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'sweep-cloud-'));
const quick = ['training=smoke', 'data.image_size=32', 'workers=0', `output_dir=${join(root, 'outputs')}`];
const spec: SweepSpec = {
  method: 'grid',
  metric: 'val_accuracy',
  goal: 'maximize',
  max_runs: 3,
  seed: 0,
  fixed: ['+training.max_steps=2'],
  parameters: { 'optimizer.lr': [0.001, 0.01, 0.003] },
  points: {},
};

function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('a sweep as Cloud Run Job tasks, over the GCS test server', () => {
  let gcs: FakeGcsServer;
  beforeAll(async () => {
    gcs = await FakeGcsServer.start({ buckets: ['mri-sweeps'] });
  });
  afterAll(async () => {
    await gcs.close();
  });

  it('runs task i as trial i in N processes, each writing its run to the bucket, then collects the leaderboard', async () => {
    const plan = sweepPlan(spec, quick, 'gs://mri-sweeps/sweeps/lr');
    const env = {
      [PLAN_ENV]: JSON.stringify(plan),
      CLOUD_RUN_TASK_COUNT: '3',
      STORAGE_EMULATOR_HOST: gcs.url,
    };
    const tasks = await Promise.all(
      [0, 1, 2].map((i) => cli(['sweep', '--task'], { ...env, CLOUD_RUN_TASK_INDEX: String(i) })),
    );
    for (const task of tasks) expect(task.code, task.stderr).toBe(0);
    const records = tasks.map((task) => JSON.parse(task.stdout.trim().split('\n').at(-1) as string));
    expect(records.map((r) => [r.index, r.name, r.overrides])).toEqual([
      [0, 'optimizer.lr=0.001', ['+training.max_steps=2', 'optimizer.lr=0.001']],
      [1, 'optimizer.lr=0.01', ['+training.max_steps=2', 'optimizer.lr=0.01']],
      [2, 'optimizer.lr=0.003', ['+training.max_steps=2', 'optimizer.lr=0.003']],
    ]);

    const keys = [...gcs.objects('mri-sweeps').keys()];
    for (const run of ['run-01', 'run-02', 'run-03']) {
      expect(keys).toContain(`sweeps/lr/${run}/trial.json`);
      expect(keys).toContain(`sweeps/lr/${run}/metrics.json`);
      expect(keys).toContain(`sweeps/lr/${run}/model/metadata.json`);
    }

    const collected = await cli(['sweep', '--collect', 'gs://mri-sweeps/sweeps/lr'], {
      STORAGE_EMULATOR_HOST: gcs.url,
    });
    expect(collected.code, collected.stderr).toBe(0);
    const board = JSON.parse(collected.stdout.trim().split('\n').at(-1) as string);
    expect(board.trials).toBe(3);
    expect(board.leaderboard.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3]);
    const scores = board.leaderboard.map((r: { score: number }) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(board.leaderboard[0].run_dir).toMatch(/^gs:\/\/mri-sweeps\/sweeps\/lr\/run-0\d$/);
    expect(board.leaderboard.map((r: { name: string }) => r.name).sort()).toEqual([
      'optimizer.lr=0.001',
      'optimizer.lr=0.003',
      'optimizer.lr=0.01',
    ]);
    const md = new TextDecoder().decode(gcs.objects('mri-sweeps').get('sweeps/lr/leaderboard.md')?.bytes);
    expect(md).toContain('| rank | name | val_accuracy | overrides | status | seconds | run |');
    expect(md.split('\n').filter((line) => /^\| \d /.test(line))).toHaveLength(3);
  }, 600_000);

  it('says plainly when there is nothing to collect, or the task has no trial', async () => {
    const plan = sweepPlan(spec, quick, 'gs://mri-sweeps/x');
    const [empty, outOfRange] = await Promise.all([
      cli(['sweep', '--collect', 'gs://mri-sweeps/nothing'], { STORAGE_EMULATOR_HOST: gcs.url }),
      cli(['sweep', '--task'], { [PLAN_ENV]: JSON.stringify(plan), CLOUD_RUN_TASK_INDEX: '5' }),
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: No finished trials under gs:\/\/mri-sweeps\/nothing/);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toBe('error: Task 5 has no trial: the sweep has 3 (indices 0-2).\n');
  }, 180_000);
});

describe('the task environment', () => {
  const plan: SweepPlan = sweepPlan(spec, ['workers=0'], 'gs://b/s');

  it('takes the index from --task-index, else CLOUD_RUN_TASK_INDEX, and checks the task count', () => {
    expect(taskIndex(plan, 2, {})).toBe(2);
    expect(taskIndex(plan, undefined, { CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: '3' })).toBe(1);
    expect(() => taskIndex(plan, undefined, {})).toThrow(/needs its index: pass --task-index N/);
    expect(() =>
      taskIndex(plan, undefined, { CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '4' }),
    ).toThrow("The job runs 4 tasks but the sweep has 3 trials: set the job's task count to 3.");
  });

  it('reads the plan from SWEEP_PLAN and names what is wrong with it', () => {
    expect(planFromEnv({ [PLAN_ENV]: JSON.stringify(plan) })).toEqual(plan);
    expect(() => planFromEnv({})).toThrow(/SWEEP_PLAN is not set/);
    expect(() => planFromEnv({ [PLAN_ENV]: '{' })).toThrow(/SWEEP_PLAN is not JSON/);
    expect(() => planFromEnv({ [PLAN_ENV]: JSON.stringify({ ...plan, names: ['one'] }) })).toThrow(
      /SWEEP_PLAN is not a sweep plan: it names 1 trials but holds 3/,
    );
    expect(() => planFromEnv({ [PLAN_ENV]: JSON.stringify({ ...plan, trials: [] }) })).toThrow(
      /SWEEP_PLAN is not a sweep plan: trials:/,
    );
  });
});

describe('submission', () => {
  const plan = sweepPlan(spec, ['workers=auto'], 'gs://b/sweeps/one');
  const options = {
    plan,
    image: 'europe-west1-docker.pkg.dev/p/mri/trainer:abc',
    region: 'europe-west1',
    job: 'mri-sweep',
    serviceAccount: 'mri-trainer@p.iam.gserviceaccount.com',
  };

  it('describes one Cloud Run Job with a task per trial, the plan in its environment', () => {
    const job = cloudRunJob({ on: 'cloud-run-jobs', ...options, parallelism: 2 }) as {
      spec: {
        template: {
          spec: Record<string, unknown> & {
            template: {
              spec: {
                containers: { args: string[]; env: { name: string; value: string }[] }[];
                serviceAccountName: string;
              };
            };
          };
        };
      };
    };
    const execution = job.spec.template.spec;
    expect(execution.taskCount).toBe(3);
    expect(execution.parallelism).toBe(2);
    const [container] = execution.template.spec.containers;
    expect(container?.args).toEqual(['sweep', '--task']);
    expect(JSON.parse(container?.env[0]?.value as string)).toEqual(plan);
    expect(execution.template.spec.serviceAccountName).toBe(options.serviceAccount);
  });

  it('describes one Vertex AI custom job per trial, each with its index', () => {
    const jobs = vertexJobs({ on: 'vertex', ...options }) as {
      workerPoolSpecs: { containerSpec: { args: string[]; env: { name: string; value: string }[] } }[];
    }[];
    expect(jobs.map((job) => job.workerPoolSpecs[0]?.containerSpec.args)).toEqual([
      ['sweep', '--task', '--task-index', '0'],
      ['sweep', '--task', '--task-index', '1'],
      ['sweep', '--task', '--task-index', '2'],
    ]);
    // Vertex AI does not announce itself the way Cloud Run does: the logs are told to carry severity.
    expect(jobs[0]?.workerPoolSpecs[0]?.containerSpec.env).toContainEqual({
      name: 'LOG_FORMAT',
      value: 'gcp',
    });
  });

  it('writes the specs and the gcloud commands that submit them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'submit-'));
    const run = writeSubmission({ on: 'cloud-run-jobs', ...options }, dir);
    expect(run.commands).toEqual([
      ['gcloud', 'run', 'jobs', 'replace', join(dir, 'mri-sweep.yaml'), '--region=europe-west1'],
      ['gcloud', 'run', 'jobs', 'execute', 'mri-sweep', '--region=europe-west1'],
    ]);
    expect(parse(readFileSync(join(dir, 'mri-sweep.yaml'), 'utf8')).kind).toBe('Job');
    const vertex = writeSubmission({ on: 'vertex', ...options }, join(dir, 'v'));
    expect(vertex.files).toHaveLength(3);
    expect(vertex.commands[1]).toEqual([
      'gcloud',
      'ai',
      'custom-jobs',
      'create',
      '--region=europe-west1',
      '--display-name=mri-sweep-run-02',
      `--config=${join(dir, 'v', 'run-02.yaml')}`,
    ]);
  });

  it('runs the commands in order and stops at the first failure, in one sentence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcloud-'));
    const mark = join(dir, 'ran');
    const node = process.execPath;
    expect(() =>
      runGcloud([
        [node, '-e', `require('node:fs').writeFileSync(${JSON.stringify(mark)}, '1')`],
        [node, '-e', 'process.exit(3)'],
        [node, '-e', `require('node:fs').writeFileSync(${JSON.stringify(mark)}, '2')`],
      ]),
    ).toThrow(/failed \(exit 3\); nothing after it ran\./);
    expect(readFileSync(mark, 'utf8')).toBe('1');
    expect(() => runGcloud([['gcloud-that-is-not-installed', 'run']])).toThrow(
      /install the Google Cloud CLI/,
    );
    writeFileSync(mark, '');
  });
});

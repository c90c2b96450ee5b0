import { type ChildProcess, spawn } from 'node:child_process';
import { cp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTempName } from '@mri/atomic-file';
import { FakeGcsServer } from '@mri/storage/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOuts, pull, push, type SyncContext } from '../src/index.js';
import { makeRepo } from './fixture.js';

// The real CLI in a child process, over real HTTP, on the embedded sample (160 real MRI JPEGs): killed mid-pull,
// then resumed.
const SAMPLE = fileURLToPath(new URL('../../../sample/brain-mri/Training', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let gcs: FakeGcsServer;
const folders: string[] = [];
beforeAll(async () => {
  // Each request waits a little, as a real bucket's would, so a kill lands mid-transfer.
  gcs = await FakeGcsServer.start({ buckets: ['mri-data'], latencyMs: 15 });
});
afterAll(async () => {
  await gcs.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

function contextFor(repo: string): SyncContext {
  return {
    repoRoot: repo,
    dvcFile: join(repo, 'data.dvc'),
    jobs: 8,
    log: pino({ level: 'silent' }),
    tty: false,
    gcsEndpoint: gcs.url,
  };
}

function runCli(cwd: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd,
    env: { ...process.env, STORAGE_EMULATOR_HOST: gcs.url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finished(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

async function countFiles(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && !isTempName(entry.name)).length;
}

async function sampleRepo(): Promise<string> {
  const repo = await makeRepo('gs://mri-data/sample');
  folders.push(repo);
  return repo;
}

describe('the data CLI', () => {
  it('resumes a pull that was killed mid-transfer, re-fetching only what is missing', async () => {
    const origin = await sampleRepo();
    await cp(SAMPLE, join(origin, 'data/brain-mri'), { recursive: true });
    const [added] = await addOuts(contextFor(origin));
    expect(added?.nfiles).toBe(160);
    await push(contextFor(origin));

    const clone = await sampleRepo();
    await cp(join(origin, 'data.dvc'), join(clone, 'data.dvc'));
    const child = runCli(clone, ['pull', '--jobs', '2']);
    let exited = false;
    const done = finished(child).then((result) => {
      exited = true;
      return result;
    });
    const target = join(clone, 'data/brain-mri');
    while (!exited && (await countFiles(target)) < 30)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // A pull that ended by itself before the kill would make this test prove nothing: fail with its output.
    expect(exited, (await Promise.race([done, Promise.resolve(undefined)]))?.stderr).toBe(false);
    child.kill('SIGKILL');
    await done;
    const before = await countFiles(target);
    expect(before).toBeGreaterThanOrEqual(30);
    expect(before).toBeLessThan(160);

    const [resumed] = await pull(contextFor(clone));
    expect(resumed).toMatchObject({
      files: 160,
      present: before,
      downloaded: 160 - before,
      missing: [],
      corrupt: [],
    });

    const status = await finished(runCli(clone, ['status', '--cloud']));
    expect(status.code).toBe(0);
    const last = JSON.parse(status.stdout.trim().split('\n').at(-1) ?? 'null');
    expect(last).toEqual([
      expect.objectContaining({
        path: 'data/brain-mri',
        workspace: 'in sync',
        remote: expect.objectContaining({ missing: 0 }),
      }),
    ]);
  }, 60_000);

  it('fails with one sentence, no stack trace, for a remote that is not configured', async () => {
    const repo = await sampleRepo();
    const result = await finished(runCli(repo, ['pull', '--remote', 'nope']));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Remote "nope" is not defined in .dvc/config or .dvc/config.local; defined: storage.',
    );
    expect(result.stdout).toBe('');
  }, 30_000);
});

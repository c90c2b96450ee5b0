import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addOuts, push } from '@mri/datasync';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pnpm data` is packages/data-cli's CLI with the data-sync commands registered: run it as a user would, in a clone
// that has only data.dvc and .dvc/config, against a DVC-layout folder remote filled with the embedded sample.
const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'packages/data-cli/src/cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SAMPLE = join(ROOT, 'sample/brain-mri/Testing');

let work: string;
let clone: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'data-cli-'));
  const config = `[core]\n    remote = local\n['remote "local"']\n    url = ${join(work, 'remote')}\n`;
  const origin = join(work, 'origin');
  clone = join(work, 'clone');
  for (const repo of [origin, clone]) {
    await mkdir(join(repo, '.dvc'), { recursive: true });
    await writeFile(join(repo, '.dvc/config'), config);
  }
  await cp(SAMPLE, join(origin, 'data/brain-mri/Testing'), { recursive: true });
  const context = {
    repoRoot: origin,
    dvcFile: join(origin, 'data.dvc'),
    jobs: 4,
    log: pino({ level: 'silent' }),
    tty: false,
  };
  await addOuts(context, join(origin, 'data/brain-mri'));
  await push(context);
  await cp(join(origin, 'data.dvc'), join(clone, 'data.dvc'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

function data(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: clone,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('pnpm data status|pull', () => {
  it('restores the tracked folder from the remote, every file identical, result as JSON on the last line', async () => {
    const before = await data(['status']);
    expect(JSON.parse(before.stdout.trim().split('\n').at(-1) ?? '')[0]).toMatchObject({
      workspace: 'not pulled',
    });

    const pulled = await data(['pull']);
    expect(pulled.code).toBe(0);
    const [result] = JSON.parse(pulled.stdout.trim().split('\n').at(-1) ?? '');
    expect(result).toMatchObject({
      path: 'data/brain-mri',
      files: 40,
      downloaded: 40,
      missing: [],
      corrupt: [],
    });
    const file = `glioma/${readdirSync(join(SAMPLE, 'glioma'))[0]}`;
    expect(await readFile(join(clone, 'data/brain-mri/Testing', file))).toEqual(
      await readFile(join(SAMPLE, file)),
    );

    const after = await data(['status']);
    expect(JSON.parse(after.stdout.trim().split('\n').at(-1) ?? '')[0]).toMatchObject({
      workspace: 'in sync',
    });
  }, 60_000);

  it('answers a mistake with one sentence and exit code 1, no stack trace', async () => {
    const result = await data(['pull', '--remote', 'elsewhere']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Remote "elsewhere" is not defined in .dvc/config or .dvc/config.local; defined: local.',
    );
  }, 30_000);
});

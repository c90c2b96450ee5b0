/**
 * `pnpm bench:datasync [--root DIR] [--jobs N]`: times add, push and pull of a dataset (default: the full training
 * set in ../shared) against a folder remote and against GCS's JSON API on loopback, next to the reference for
 * moving the same bytes with no hashing at all (`fs.cp` of the folder). Last stdout line: JSON.
 */
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeGcsServer } from '@mri/storage/testing';
import { pino } from 'pino';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { addOuts, pull, push, type SyncContext } from '../src/index.js';

const args = await yargs(hideBin(process.argv))
  .option('root', { type: 'string', default: resolve('../shared/datasets/brain-mri/Training') })
  .option('jobs', { type: 'number', default: 16 })
  .strict()
  .parse();

const work = await mkdtemp(join(tmpdir(), 'datasync-bench-'));
const gcs = await FakeGcsServer.start({ buckets: ['bench'] });
const log = pino({ level: 'silent' });

async function repo(name: string, remoteUrl: string): Promise<SyncContext> {
  const root = join(work, name);
  await mkdir(join(root, '.dvc'), { recursive: true });
  await writeFile(
    join(root, '.dvc/config'),
    `[core]\n    remote = r\n['remote "r"']\n    url = ${remoteUrl}\n`,
  );
  return {
    repoRoot: root,
    dvcFile: join(root, 'data.dvc'),
    jobs: args.jobs,
    log,
    tty: false,
    gcsEndpoint: gcs.url,
  };
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
}

try {
  const figures: Record<string, number> = {};
  for (const [label, remoteUrl] of [
    ['folder', join(work, 'remote')],
    ['gcs', 'gs://bench/dvcstore'],
  ] as const) {
    const origin = await repo(`${label}-origin`, remoteUrl);
    await mkdir(join(origin.repoRoot, 'data/brain-mri'), { recursive: true });
    await symlink(args.root, join(origin.repoRoot, 'data/brain-mri/Training'), 'dir');
    const [[added], addS] = await timed(() => addOuts(origin, join(origin.repoRoot, 'data/brain-mri')));
    const [, pushS] = await timed(() => push(origin));
    const clone = await repo(`${label}-clone`, remoteUrl);
    await cp(origin.dvcFile, clone.dvcFile);
    const [[pulled], pullS] = await timed(() => pull(clone));
    const [, repullS] = await timed(() => pull(clone));
    if (!pulled || pulled.downloaded !== added?.nfiles)
      throw new Error(`pull restored ${pulled?.downloaded} files`);
    Object.assign(figures, {
      files: added?.nfiles ?? 0,
      mb: +((added?.size ?? 0) / 1e6).toFixed(1),
      add_s: +addS.toFixed(2),
      [`${label}_push_s`]: +pushS.toFixed(2),
      [`${label}_pull_s`]: +pullS.toFixed(2),
      [`${label}_repull_s`]: +repullS.toFixed(2),
    });
  }
  // The reference: the same bytes copied with no hashing, no verification, no atomic renames.
  const [, copyS] = await timed(() => cp(args.root, join(work, 'plain-copy'), { recursive: true }));
  figures.copy_s = +copyS.toFixed(2);
  figures.folder_pull_vs_copy = +(copyS / (figures.folder_pull_s ?? 1)).toFixed(2);
  console.log(JSON.stringify(figures));
} finally {
  await gcs.close();
  await rm(work, { recursive: true, force: true });
}

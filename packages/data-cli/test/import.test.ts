/**
 * Each CLI run is its own tsx process: seconds each on a busy two-core machine, hence the long timeouts.
 * `pnpm data import` and `pnpm data remote`, as a user runs them in a repository with no remote: a zip built from
 * the embedded sample (with a broken JPEG, a stray text file, a byte-identical copy and macOS noise) goes to
 * data/brain-mri, is recorded in data.dvc and pushed to the folder remote the user added.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLE_ROOT } from '@mri/data';
import { readDvcFile } from '@mri/datasync';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { tempDir } from './helpers.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'data-cli', 'src', 'cli.ts');
const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

function data(args: string[], cwd: string) {
  const result = spawnSync(TSX, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');

/** A repository as a fresh clone has it: .dvc/ with a config that names no remote. */
function repository(): string {
  const repo = tempDir('mri-import-repo-');
  mkdirSync(join(repo, '.dvc'));
  writeFileSync(join(repo, '.dvc', 'config'), '# names no remote\n');
  return repo;
}

function sampleFile(split: string, name: string, index: number): { path: string; bytes: Buffer } {
  const file = readdirSync(join(SAMPLE_ROOT, split, name)).sort()[index] as string;
  return { path: `${split}/${name}/${file}`, bytes: readFileSync(join(SAMPLE_ROOT, split, name, file)) };
}

/** The public archive's layout under one top folder, 3 training and 1 test image per class, plus the awkward files. */
async function archive(files: { path: string; bytes: Buffer }[], into: string): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const file of files) zip.addBuffer(file.bytes, `brain-tumor-mri-dataset/${file.path}`);
  const path = join(into, 'archive.zip');
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject);
    zip.end();
  });
  return path;
}

function sampleFiles() {
  const files = CLASSES.flatMap((name) => [
    ...[0, 1, 2].map((i) => sampleFile('Training', name, i)),
    sampleFile('Testing', name, 0),
  ]);
  const good = files[0] as { path: string; bytes: Buffer };
  return [
    ...files,
    { path: 'Training/glioma/copy-of-first.jpg', bytes: good.bytes },
    { path: 'Training/glioma/cut-short.jpg', bytes: good.bytes.subarray(0, 2000) },
    { path: 'Training/meningioma/notes.txt', bytes: Buffer.from('not an image') },
    { path: 'README.md', bytes: Buffer.from('# the dataset') },
    { path: '__MACOSX/Training/glioma/._x.jpg', bytes: Buffer.from('resource fork') },
  ];
}

describe('pnpm data remote', () => {
  it("adds a remote in DVC's own format, relative folders relative to .dvc/, and lists it", () => {
    const repo = repository();
    const added = data(['remote', 'add', 'storage', '../remote', '--default'], repo);
    expect(added.status, added.stderr).toBe(0);
    expect(readFileSync(join(repo, '.dvc', 'config'), 'utf8')).toBe(
      `# names no remote\n[core]\n    remote = storage\n['remote "storage"']\n    url = ../../remote\n`,
    );
    const bucket = data(['remote', 'add', 'gcs', 'gs://my-bucket/dvcstore', '--local'], repo);
    expect(bucket.status, bucket.stderr).toBe(0);
    expect(readFileSync(join(repo, '.dvc', 'config.local'), 'utf8')).toBe(
      `['remote "gcs"']\n    url = gs://my-bucket/dvcstore\n`,
    );
    const listed = data(['remote', 'list'], repo);
    expect(lastJson(listed.stdout)).toEqual([
      { name: 'storage', url: join(repo, '..', 'remote'), default: true },
      { name: 'gcs', url: 'gs://my-bucket/dvcstore', default: false },
    ]);
  }, 120_000);

  it('refuses a scheme it cannot reach, a taken name and a bad name, one sentence each', () => {
    const repo = repository();
    expect(data(['remote', 'add', 'a', '../a'], repo).status).toBe(0);
    const cases: [string[], RegExp][] = [
      [
        ['remote', 'add', 's3', 's3://bucket/x'],
        /^Remote URL s3:\/\/bucket\/x uses s3:\/\/, which pnpm data cannot reach/,
      ],
      [['remote', 'add', 'a', '../b'], /^Remote "a" already exists .*pass --force/],
      [['remote', 'add', 'bad name', '../b'], /^Remote name "bad name" is not allowed/],
      [['remote', 'add', 'only-name'], /^Name the remote and its URL/],
    ];
    for (const [args, message] of cases) {
      const run = data(args, repo);
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(data(['remote', 'add', 'a', '../b', '--force'], repo).status).toBe(0);
    expect(readFileSync(join(repo, '.dvc', 'config'), 'utf8')).toMatch(/url = \.\.\/\.\.\/b\n$/);
  }, 300_000);
});

describe('pnpm data import', () => {
  it('imports a zip: checks classes, lists bad files, reports duplicates, records data.dvc and pushes', async () => {
    const repo = repository();
    const zip = await archive(sampleFiles(), tempDir());
    expect(data(['remote', 'add', 'storage', join(repo, 'remote'), '--default'], repo).status).toBe(0);

    const run = data(['import', zip], repo);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /bad: brain-tumor-mri-dataset\/Training\/glioma\/cut-short\.jpg: The JPEG is truncated/,
    );
    expect(run.stdout).toMatch(/bad: .*notes\.txt: not a \.jpg, \.jpeg or \.png file/);
    const result = lastJson(run.stdout);
    expect(result).toMatchObject({
      layout: 'splits',
      images: {
        Training: { glioma: 4, meningioma: 3, notumor: 3, pituitary: 3 },
        Testing: { glioma: 1, meningioma: 1, notumor: 1, pituitary: 1 },
      },
      ignored: 1,
      duplicates: { identicalGroups: 1, identicalImages: 2 },
    });
    expect(result.bad).toHaveLength(2);
    expect(result.duplicates.nearCopyGroups).toBeGreaterThanOrEqual(1);

    // Written: every good file, byte for byte; nothing of the bad ones, no staging folder left.
    const first = sampleFile('Training', 'glioma', 0);
    expect(readFileSync(join(repo, 'data/brain-mri', first.path))).toEqual(first.bytes);
    expect(existsSync(join(repo, 'data/brain-mri/Training/glioma/cut-short.jpg'))).toBe(false);
    expect(readdirSync(join(repo, 'data'))).toEqual(['brain-mri']);

    // Recorded and pushed: data.dvc names 17 files, 16 distinct contents went to the remote (the copy is stored once).
    const dvc = await readDvcFile(join(repo, 'data.dvc'));
    expect(dvc.outs[0]).toMatchObject({ path: 'data/brain-mri', nfiles: 17, hash: 'md5' });
    expect(result.pushed[0]).toMatchObject({ remote: join(repo, 'remote'), objects: 16, uploaded: 16 });
    const status = data(['status', '--cloud'], repo);
    expect(lastJson(status.stdout)[0]).toMatchObject({ workspace: 'in sync' });
  }, 300_000);

  it('imports a folder of class folders without a remote, and says how to add one', () => {
    const repo = repository();
    const folder = tempDir();
    for (const name of CLASSES) {
      const file = sampleFile('Training', name, 0);
      mkdirSync(join(folder, name));
      writeFileSync(join(folder, name, 'a.jpg'), file.bytes);
    }
    const run = data(['import', folder], repo);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/not pushed: no default DVC remote; add one with `pnpm data remote add NAME/);
    expect(lastJson(run.stdout)).toMatchObject({
      layout: 'classes',
      images: { Training: { glioma: 1, meningioma: 1, notumor: 1, pituitary: 1 } },
      pushed: null,
    });
    expect(existsSync(join(repo, 'data/brain-mri/Training/notumor/a.jpg'))).toBe(true);
  }, 120_000);

  it('refuses an unknown or missing class with one sentence and leaves the previous data as it was', async () => {
    const repo = repository();
    const good = await archive(sampleFiles(), tempDir());
    expect(data(['import', good, '--no-push'], repo).status).toBe(0);
    const before = readdirSync(join(repo, 'data/brain-mri/Training/glioma')).sort();

    const extra = await archive(
      [
        ...sampleFiles(),
        { path: 'Training/astrocytoma/x.jpg', bytes: sampleFile('Training', 'glioma', 0).bytes },
      ],
      tempDir(),
    );
    const unknown = data(['import', extra], repo);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'Folder Training/astrocytoma is not one of the classes (glioma, meningioma, notumor, pituitary); rename or remove it and import again.',
    );
    const partial = await archive(
      sampleFiles().filter((f) => !f.path.startsWith('Training/pituitary/')),
      tempDir(),
    );
    const missing = data(['import', partial], repo);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'The import has no Training/<class>/ folder for pituitary: every class needs training images.',
    );
    expect(readdirSync(join(repo, 'data/brain-mri/Training/glioma')).sort()).toEqual(before);
    expect(readdirSync(join(repo, 'data'))).toEqual(['brain-mri']);

    const nothing = data(['import', join(repo, 'no-such.zip')], repo);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr.trim()).toMatch(/no-such\.zip does not exist: give the dataset's zip archive/);
  }, 300_000);
});

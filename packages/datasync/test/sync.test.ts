import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGcsServer } from '@mri/storage/testing';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOuts, DataSyncError, pull, push, type SyncContext, status } from '../src/index.js';
import { DVC_FILE, FILES, LISTING, LISTING_OID, makeRepo, remoteLayout, SIZE, writeTree } from './fixture.js';

const cleanup: string[] = [];
let gcs: FakeGcsServer;
beforeAll(async () => {
  gcs = await FakeGcsServer.start({ buckets: ['mri-data'], pageSize: 3 });
});
afterAll(() => gcs.close());
afterEach(async () => {
  for (const folder of cleanup.splice(0)) await rm(folder, { recursive: true, force: true });
});

function contextFor(repo: string, extra: Partial<SyncContext> = {}): SyncContext {
  return {
    repoRoot: repo,
    dvcFile: join(repo, 'data.dvc'),
    jobs: 4,
    log: pino({ level: 'silent' }),
    tty: false,
    ...extra,
  };
}

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'datasync-'));
  cleanup.push(folder);
  return folder;
}

async function repoWith(remoteUrl: string): Promise<string> {
  const repo = await makeRepo(remoteUrl);
  cleanup.push(repo);
  return repo;
}

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[
      full
        .slice(root.length + 1)
        .split('\\')
        .join('/')
    ] = await readFile(full, 'utf8');
  }
  return out;
}

describe('pull from a remote that DVC pushed', () => {
  it('restores the dataset from a local-folder remote, then skips what is present', async () => {
    const remote = await tempFolder();
    await writeTree(remote, remoteLayout());
    const repo = await repoWith(remote);
    const [first] = await pull(contextFor(repo));
    expect(first).toMatchObject({
      path: 'data/brain-mri',
      files: 5,
      downloaded: 5,
      present: 0,
      missing: [],
      corrupt: [],
    });
    expect(await readTree(join(repo, 'data/brain-mri'))).toEqual(FILES);
    const [second] = await pull(contextFor(repo));
    expect(second).toMatchObject({ downloaded: 0, present: 5, bytes: 0 });
  });

  it('restores the dataset from a gs:// remote over the GCS JSON API', async () => {
    for (const [key, content] of Object.entries(remoteLayout()))
      gcs.putObject('mri-data', `dvcstore/${key}`, Buffer.from(content));
    const repo = await repoWith('gs://mri-data/dvcstore');
    const [result] = await pull(contextFor(repo, { gcsEndpoint: gcs.url }));
    expect(result).toMatchObject({ remote: 'gs://mri-data/dvcstore', downloaded: 5 });
    expect(await readTree(join(repo, 'data/brain-mri'))).toEqual(FILES);
    // The listing is kept in .dvc/cache, where DVC keeps it, so status works offline afterwards.
    const cached = await readFile(
      join(repo, '.dvc/cache/files/md5', LISTING_OID.slice(0, 2), LISTING_OID.slice(2)),
      'utf8',
    );
    expect(cached).toBe(LISTING);
  });

  it('reports a file whose remote bytes fail their md5 check and never writes it', async () => {
    const remote = await tempFolder();
    const layout = remoteLayout();
    layout['files/md5/6b/52f242f4b8ad5366f8f969479498d3'] = 'tampered';
    delete layout['files/md5/e4/f7981a7e3b887516e863b95c969e50'];
    await writeTree(remote, layout);
    const repo = await repoWith(remote);
    const [result] = await pull(contextFor(repo));
    expect(result).toMatchObject({
      corrupt: ['glioma/g2.jpg'],
      missing: ['notumor/\u00fc-umlaut.jpg'],
      downloaded: 3,
    });
    expect(Object.keys(await readTree(join(repo, 'data/brain-mri'))).sort()).toEqual([
      'glioma-extra.txt',
      'glioma/g1.jpg',
      'notumor/copy.jpg',
    ]);
  });

  it('says in one sentence that the remote lacks the listing', async () => {
    const repo = await repoWith(await tempFolder());
    await expect(pull(contextFor(repo))).rejects.toThrow(
      /^Remote "storage" \(.+\) holds no listing 5298b0c7f3cad7dbfb8fd09b70a85d39\.dir for data\/brain-mri: push it/,
    );
  });

  it('replaces a locally modified file with the recorded version', async () => {
    const remote = await tempFolder();
    await writeTree(remote, remoteLayout());
    const repo = await repoWith(remote);
    await writeTree(join(repo, 'data/brain-mri'), { ...FILES, 'glioma/g1.jpg': 'edited' });
    const [result] = await pull(contextFor(repo));
    expect(result).toMatchObject({ downloaded: 1, present: 4 });
    expect(await readFile(join(repo, 'data/brain-mri/glioma/g1.jpg'), 'utf8')).toBe('glioma one');
  });
});

describe('add and push produce what DVC reads', () => {
  it('records data.dvc as DVC does and pushes DVC 3 layout to a local remote, each object once', async () => {
    const remote = await tempFolder();
    const repo = await repoWith(remote);
    await rm(join(repo, 'data.dvc'));
    await writeTree(join(repo, 'data/brain-mri'), FILES);
    const [added] = await addOuts(contextFor(repo), join(repo, 'data/brain-mri'));
    expect(added).toEqual({ path: 'data/brain-mri', md5: LISTING_OID, size: SIZE, nfiles: 5 });
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(DVC_FILE);

    const [pushed] = await push(contextFor(repo));
    expect(pushed).toMatchObject({ objects: 4, uploaded: 4, present: 0 });
    expect(await readTree(remote)).toEqual(remoteLayout());
    const [again] = await push(contextFor(repo));
    expect(again).toMatchObject({ uploaded: 0, present: 4, bytes: 0 });
  });

  it('pushes to a gs:// remote that a second clone then pulls', async () => {
    const repo = await repoWith('gs://mri-data/pushed');
    await writeTree(join(repo, 'data/brain-mri'), FILES);
    const [pushed] = await push(contextFor(repo, { gcsEndpoint: gcs.url }));
    expect(pushed).toMatchObject({ uploaded: 4, remote: 'gs://mri-data/pushed' });
    const stored = [...gcs.objects('mri-data').keys()].filter((key) => key.startsWith('pushed/')).sort();
    expect(stored).toEqual(
      Object.keys(remoteLayout())
        .map((key) => `pushed/${key}`)
        .sort(),
    );

    const clone = await repoWith('gs://mri-data/pushed');
    const [pulled] = await pull(contextFor(clone, { gcsEndpoint: gcs.url }));
    expect(pulled).toMatchObject({ downloaded: 5 });
    expect(await readTree(join(clone, 'data/brain-mri'))).toEqual(FILES);
  });

  it('refuses to push a workspace that differs from data.dvc', async () => {
    const repo = await repoWith(await tempFolder());
    await writeTree(join(repo, 'data/brain-mri'), { ...FILES, 'new.jpg': 'new' });
    await expect(push(contextFor(repo))).rejects.toThrow(DataSyncError);
    await expect(push(contextFor(repo))).rejects.toThrow(/run `pnpm data add` to record this version/);
  });
});

describe('status', () => {
  it('tells in sync, modified (with the files), and not pulled apart, and what the remote lacks', async () => {
    const remote = await tempFolder();
    const repo = await repoWith(remote);
    expect((await status(contextFor(repo)))[0]).toEqual({
      path: 'data/brain-mri',
      md5: LISTING_OID,
      workspace: 'not pulled',
    });

    await writeTree(join(repo, 'data/brain-mri'), FILES);
    await push(contextFor(repo));
    expect((await status(contextFor(repo), true))[0]).toMatchObject({
      workspace: 'in sync',
      remote: { missing: 0 },
    });

    await writeTree(join(repo, 'data/brain-mri'), { 'glioma/g2.jpg': 'changed', 'extra/new.jpg': 'new' });
    await rm(join(repo, 'data/brain-mri/notumor/copy.jpg'));
    await rm(join(remote, 'files/md5/24/b6bac0be1f15aba45c41baeba35adb'));
    expect((await status(contextFor(repo), true))[0]).toMatchObject({
      workspace: 'modified',
      changes: { added: ['extra/new.jpg'], modified: ['glioma/g2.jpg'], deleted: ['notumor/copy.jpg'] },
      remote: { name: 'storage', missing: 1 },
    });
  });
});

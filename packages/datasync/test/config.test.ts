import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chooseRemote,
  DataSyncError,
  parseConfig,
  readDvcConfig,
  readDvcFile,
  writeDvcFile,
} from '../src/index.js';
import { DVC_FILE, writeTree } from './fixture.js';

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'datasync-config-'));
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('.dvc/config', () => {
  it('reads the configobj dialect DVC writes', () => {
    const text = `[core]
    remote = gcs
    autostage = true
['remote "gcs"']
    url = gs://mri-data/dvcstore
    projectname = my-project
[remote "local"]  
    url = ../../storage   # a comment
; another comment
`;
    const sections = parseConfig(text, '/repo/.dvc');
    expect(sections.get('core')).toEqual({ remote: 'gcs', autostage: 'true' });
    expect(sections.get('remote "gcs"')).toEqual({
      url: 'gs://mri-data/dvcstore',
      projectname: 'my-project',
    });
    // Relative local paths are relative to the config file's folder, as DVC resolves them.
    expect(sections.get('remote "local"')?.url).toBe(resolve('/repo/.dvc', '../../storage'));
  });

  it('lets .dvc/config.local override .dvc/config key by key', async () => {
    await writeTree(repo, {
      '.dvc/config': `[core]\n    remote = gcs\n['remote "gcs"']\n    url = gs://shared/store\n    projectname = p\n`,
      '.dvc/config.local': `['remote "gcs"']\n    url = gs://my-own/store\n['remote "scratch"']\n    url = /tmp/scratch\n`,
    });
    const config = await readDvcConfig(repo);
    expect(chooseRemote(config)).toEqual({
      name: 'gcs',
      url: 'gs://my-own/store',
      settings: { url: 'gs://my-own/store', projectname: 'p' },
    });
    expect(chooseRemote(config, 'scratch').url).toBe('/tmp/scratch');
  });

  it('says which remotes exist when the one asked for does not, and what to do when none is set', async () => {
    await writeTree(repo, { '.dvc/config': `['remote "a"']\n    url = /x\n` });
    const config = await readDvcConfig(repo);
    expect(() => chooseRemote(config, 'nope')).toThrow(
      'Remote "nope" is not defined in .dvc/config or .dvc/config.local; defined: a.',
    );
    expect(() => chooseRemote(config)).toThrow(/No DVC remote is configured/);
  });
});

describe('.dvc files', () => {
  it('round-trips DVC 3 output exactly, in DVC field order, keeping other fields', async () => {
    await writeTree(repo, { 'data.dvc': `${DVC_FILE.replace('outs:', 'outs:')}` });
    const dvc = await readDvcFile(join(repo, 'data.dvc'));
    expect(dvc.outs[0]).toMatchObject({ nfiles: 5, size: 42, hash: 'md5', path: 'data/brain-mri' });
    await writeDvcFile(join(repo, 'data.dvc'), dvc.outs);
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(DVC_FILE);
    await writeDvcFile(join(repo, 'new.dvc'), [
      { path: 'x', hash: 'md5', desc: 'kept', md5: 'a'.repeat(32), size: 1 },
    ]);
    expect(await readFile(join(repo, 'new.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${'a'.repeat(32)}\n  size: 1\n  hash: md5\n  path: x\n  desc: kept\n`,
    );
  });

  it('refuses a file that is not a DVC file with one sentence', async () => {
    await writeTree(repo, { 'bad.dvc': 'outs:\n- md5: nothex\n  path: x\n', 'yaml.dvc': 'outs: [\n' });
    await expect(readDvcFile(join(repo, 'bad.dvc'))).rejects.toThrow(/is not a DVC file: outs.0.md5/);
    await expect(readDvcFile(join(repo, 'yaml.dvc'))).rejects.toThrow(/is not valid YAML/);
    await expect(readDvcFile(join(repo, 'none.dvc'))).rejects.toThrow(DataSyncError);
  });
});

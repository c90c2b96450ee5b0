import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseRemote, parseConfig, readDvcFile } from '@mri/datasync';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('data.dvc records the full training set as DVC computes it', async () => {
  const dvc = await readDvcFile(join(ROOT, 'data.dvc'));
  // 8298f15c...: the md5 of the .dir listing of ../shared/datasets/brain-mri/Training under data/brain-mri, checked
  // against Python's json/hashlib (packages/datasync/README.md).
  expect(dvc.outs).toEqual([
    {
      md5: '8298f15cd3e2cfe61592c405f4988eb0.dir',
      size: 42438512,
      nfiles: 5708,
      hash: 'md5',
      path: 'data/brain-mri',
    },
  ]);
});

it('.dvc/config names no remote a new clone cannot reach, and keeps config.local out of git', async () => {
  // The committed file alone (a developer's own config.local may add remotes): every remote is the user's own.
  const sections = parseConfig(readFileSync(join(ROOT, '.dvc', 'config'), 'utf8'), join(ROOT, '.dvc'));
  expect([...sections.keys()].filter((name) => name.startsWith('remote'))).toEqual([]);
  expect(sections.get('core')?.remote).toBeUndefined();
  expect(() => chooseRemote({ core: {}, remotes: new Map() })).toThrow(/pnpm data remote add NAME/);
  const dvcFile = readFileSync(join(ROOT, 'data.dvc'), 'utf8');
  expect(dvcFile).not.toMatch(/remote:|gs:\/\/|dvc-remote/);
  const ignored = readFileSync(join(ROOT, '.dvc', '.gitignore'), 'utf8').split('\n');
  expect(ignored).toEqual(expect.arrayContaining(['/config.local', '/cache', '/tmp']));
});

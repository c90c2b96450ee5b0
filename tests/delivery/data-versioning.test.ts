import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseRemote, readDvcConfig, readDvcFile } from '@mri/datasync';
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

it('.dvc/config defaults to a folder remote, offers the GCS one, and keeps config.local out of git', async () => {
  const config = await readDvcConfig(ROOT);
  expect(chooseRemote(config)).toMatchObject({ name: 'local', url: join(ROOT, '..', 'dvc-remote') });
  expect(chooseRemote(config, 'gcs').url).toMatch(/^gs:\/\/[a-z0-9._-]+\/dvcstore$/);
  const ignored = readFileSync(join(ROOT, '.dvc', '.gitignore'), 'utf8').split('\n');
  expect(ignored).toEqual(expect.arrayContaining(['/config.local', '/cache', '/tmp']));
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsStore } from '@mri/storage';
import { FakeGcsServer } from '@mri/storage/testing';
import { describe, expect, it } from 'vitest';
import { uploadRun } from '../src/runs/upload.js';

describe('run uploads', () => {
  it('copy a run folder to a bucket under runs/<date>/<time>/', async () => {
    const gcs = await FakeGcsServer.start({ buckets: ['runs'] });
    const previous = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = gcs.url;
    try {
      const outputs = mkdtempSync(join(tmpdir(), 'outputs-'));
      const runDir = join(outputs, '2026-11-26', '04-00-00');
      mkdirSync(join(runDir, 'figures'), { recursive: true });
      writeFileSync(join(runDir, 'metrics.json'), '{"status":"completed"}');
      writeFileSync(join(runDir, 'figures', 'loss.png'), Buffer.from([137, 80, 78, 71]));
      const url = await uploadRun(runDir, outputs, 'gs://runs/team');
      expect(url).toBe('gs://runs/team/runs/2026-11-26/04-00-00');
      const store = new GcsStore('runs', 'team', { apiEndpoint: gcs.url });
      expect(await store.list('runs/')).toEqual([
        'runs/2026-11-26/04-00-00/figures/loss.png',
        'runs/2026-11-26/04-00-00/metrics.json',
      ]);
      expect(Buffer.from((await store.read('runs/2026-11-26/04-00-00/metrics.json')) ?? [])).toEqual(
        Buffer.from('{"status":"completed"}'),
      );
    } finally {
      if (previous === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = previous;
      await gcs.close();
    }
  });
});

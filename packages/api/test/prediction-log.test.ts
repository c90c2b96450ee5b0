import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '@mri/storage';
import { FakeGcsServer } from '@mri/storage/testing';
import { describe, expect, it } from 'vitest';
import { BlobTarget, bufferedLog, RotatingJsonlTarget } from '../src/predictions/log.js';
import type { PredictionRecord } from '../src/predictions/record.js';
import { withTempDir } from './support/server.js';

const record = (index: number): PredictionRecord => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
  modelVersion: 'v1',
  predicted: 'glioma',
  confidence: 0.9,
  image: { mean: 0.2 + index / 1000, std: 0.1, bytes: 12_000 },
});

describe('prediction log', () => {
  it('appends JSONL to a folder, rotates past the size limit and keeps only the newest files', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'predictions-2000-01-01T00-00-00-000Z-1.jsonl'), '{}\n');
      await writeFile(join(dir, 'notes.txt'), 'not ours');
      const log = bufferedLog(new RotatingJsonlTarget(dir, 1024, 2), (error) => {
        throw error;
      });
      for (let batch = 0; batch < 4; batch++) {
        for (let i = 0; i < 8; i++) log.append(record(batch * 8 + i));
        await log.flush();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await log.close();
      const files = (await readdir(dir)).sort();
      const logs = files.filter((name) => name.endsWith('.jsonl'));
      expect(logs).toHaveLength(2);
      expect(files).toContain('notes.txt');
      expect(logs).not.toContain('predictions-2000-01-01T00-00-00-000Z-1.jsonl');
      const lines = (await Promise.all(logs.map((name) => readFile(join(dir, name), 'utf8'))))
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PredictionRecord);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.at(-1)).toEqual(record(31));
    });
  });

  it('writes whole objects to a GCS bucket through the storage package', async () => {
    const gcs = await FakeGcsServer.start({ buckets: ['mri-logs'] });
    try {
      const store = openStore('gs://mri-logs/serving', { gcs: { apiEndpoint: gcs.url } });
      const log = bufferedLog(new BlobTarget(store), (error) => {
        throw error;
      });
      for (let i = 0; i < 3; i++) log.append(record(i));
      await log.flush();
      log.append(record(3));
      await log.close();
      const keys = await store.list('predictions/');
      expect(keys).toHaveLength(2);
      const bytes = await store.read(keys[0] as string);
      const lines = new TextDecoder().decode(bytes).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual([record(0), record(1), record(2)]);
    } finally {
      await gcs.close();
    }
  });

  it('reports a failed write instead of throwing into the request path', async () => {
    const errors: unknown[] = [];
    const log = bufferedLog({ write: () => Promise.reject(new Error('disk full')) }, (error) =>
      errors.push(error),
    );
    log.append(record(0));
    await log.close();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('disk full');
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  findRunFolders,
  flattenConfig,
  parseJsonRecord,
  parseRun,
  RUN_FILES,
  readMetricsFile,
  readRunFolder,
  runIdsAmong,
} from '../src/index.js';

const config = stringify({
  seed: 42,
  model: { architecture: 'compact' },
  optimizer: { name: 'adamw', lr: 0.001 },
});
const metrics = JSON.stringify({
  status: 'completed',
  seconds: 61.4,
  epochs: 3,
  model_version: 'v1',
  data_hash: 'd',
  config_hash: 'c',
  metrics: { val_accuracy: 0.91, best_epoch: 3, note: 'n/a' },
  history: [{ epoch: 1, loss: 1.2 }, 'not an epoch'],
});

function writeRun(dir: string, files: Partial<Record<'config' | 'metrics', string>>): string {
  mkdirSync(dir, { recursive: true });
  if (files.config !== undefined) writeFileSync(join(dir, RUN_FILES.config), files.config);
  if (files.metrics !== undefined) writeFileSync(join(dir, RUN_FILES.metrics), files.metrics);
  return dir;
}

describe('a run record', () => {
  it('reads what metrics.json and config.yaml say, as every reader shows it', () => {
    expect(parseRun(new TextEncoder().encode(metrics), config)).toEqual({
      status: 'completed',
      architecture: 'compact',
      seconds: 61.4,
      epochs: 3,
      metrics: { val_accuracy: 0.91, best_epoch: 3, note: null },
      history: [{ epoch: 1, loss: 1.2 }],
      dataHash: 'd',
      configHash: 'c',
      modelVersion: 'v1',
      error: null,
      config: { seed: 42, 'model.architecture': 'compact', 'optimizer.name': 'adamw', 'optimizer.lr': 0.001 },
    });
  });

  it('is undefined while a file is missing, half-written or not an object, never an error', () => {
    expect(parseRun(undefined, config)).toBeUndefined();
    expect(parseRun(metrics, undefined)).toBeUndefined();
    expect(parseRun('{"status": "runn', config)).toBeUndefined();
    expect(parseRun('[1, 2]', config)).toBeUndefined();
    expect(parseRun(metrics, 'a: [unclosed')).toBeUndefined();
    expect(parseJsonRecord('null')).toBeUndefined();
  });

  it('has no architecture or numbers it was not given', () => {
    const record = parseRun('{"status": "failed", "error": "out of memory"}', 'seed: 1\n');
    expect(record).toMatchObject({
      status: 'failed',
      architecture: null,
      seconds: null,
      metrics: {},
      history: [],
    });
    expect(record?.error).toBe('out of memory');
  });

  it('is read from a folder on disk', () => {
    const dir = writeRun(mkdtempSync(join(tmpdir(), 'run-')), { config, metrics });
    expect(readRunFolder(dir)?.modelVersion).toBe('v1');
    expect(readMetricsFile(dir)?.status).toBe('completed');
    expect(readMetricsFile(join(dir, 'missing'))).toBeUndefined();
    expect(readRunFolder(join(dir, 'missing'))).toBeUndefined();
  });
});

describe('a config', () => {
  it('flattens to dotted keys; lists stay values', () => {
    expect(flattenConfig({ a: { b: { c: 1 } }, d: [1, 2], e: null })).toEqual({
      'a.b.c': 1,
      d: [1, 2],
      e: null,
    });
  });
});

describe('run folders', () => {
  it('are the folders with both files, at any depth on disk, outside runs’ model/ and figures/', () => {
    const outputs = mkdtempSync(join(tmpdir(), 'outputs-'));
    writeRun(join(outputs, '2026-11-26', '04-00-00'), { config, metrics });
    writeRun(join(outputs, 'sweeps', '2026-11-26', '05-00-00', 'run-01'), { config, metrics });
    writeRun(join(outputs, '2026-11-26', '06-00-00'), { config }); // never wrote metrics
    writeRun(join(outputs, '2026-11-26', '04-00-00', 'model'), { config, metrics }); // not a run of its own
    expect(findRunFolders(outputs).map((dir) => dir.slice(outputs.length + 1).replaceAll('\\', '/'))).toEqual(
      ['2026-11-26/04-00-00', 'sweeps/2026-11-26/05-00-00/run-01'],
    );
    expect(findRunFolders(join(outputs, 'none'))).toEqual([]);
    expect(findRunFolders(outputs, 1)).toEqual([]);
  });

  it('are found among a blob store’s keys the same way', () => {
    const keys = [
      'metrics.json',
      'config.yaml',
      'b/2026-11-26/04-00-00/metrics.json',
      'b/2026-11-26/04-00-00/config.yaml',
      'a/metrics.json',
      'a/config.yaml',
      'half/metrics.json',
      'other/myconfig.yaml',
      'other/metrics.json',
    ];
    expect(runIdsAmong(keys)).toEqual(['a', 'b/2026-11-26/04-00-00']);
  });
});

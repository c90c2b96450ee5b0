import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunFolders } from '@mri/run-records';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { differingKeys, readRun, runsTable } from '../src/runs/list.js';

// Run folders as `pnpm train` leaves them (config.yaml + metrics.json), written directly to test the listing alone.
function fakeRun(outputs: string, name: string, lr: number, accuracy: number): void {
  const dir = join(outputs, name);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(
    join(dir, 'config.yaml'),
    stringify({ seed: 42, optimizer: { name: 'adamw', lr }, training: { epochs: 3 } }),
  );
  writeFileSync(
    join(dir, 'metrics.json'),
    JSON.stringify({
      status: 'completed',
      seconds: 61.4,
      model_version: 'v1',
      metrics: { val_accuracy: accuracy, best_epoch: 3 },
    }),
  );
}

describe('pnpm runs', () => {
  it('finds runs at any depth, and shows metrics with only the config keys that differ', () => {
    const outputs = mkdtempSync(join(tmpdir(), 'runs-'));
    fakeRun(outputs, '2026-11-26/04-00-00', 0.001, 0.91234);
    fakeRun(outputs, 'sweeps/2026-11-26/05-00-00/run-01', 0.003, 0.95);
    mkdirSync(join(outputs, '2026-11-26', '06-00-00'), { recursive: true }); // a run that never wrote metrics
    const rows = findRunFolders(outputs)
      .map((d) => readRun(d, outputs))
      .filter((r) => r !== undefined);
    expect(rows.map((r) => r.run)).toEqual(['2026-11-26/04-00-00', 'sweeps/2026-11-26/05-00-00/run-01']);
    expect(differingKeys(rows)).toEqual(['optimizer.lr']);
    const table = runsTable(rows, differingKeys(rows)).split('\n');
    expect(table[0]).toMatch(
      /^run\s+status\s+val_accuracy\s+val_macro_f1\s+val_loss\s+best_epoch\s+seconds\s+model\s+optimizer.lr$/,
    );
    expect(table[1]).toMatch(/^2026-11-26\/04-00-00\s+completed\s+0.9123\s+3\s+61\s+v1\s+0.001$/);
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir, startedAt, sweepOf } from '../src/index.js';

describe('the run folder layout', () => {
  it('dates a new run folder and suffixes a second one started in the same second', () => {
    const parent = mkdtempSync(join(tmpdir(), 'layout-'));
    const now = new Date(2026, 11, 4, 9, 5, 7);
    const first = createRunDir(parent, now);
    const second = createRunDir(parent, now);
    const id = (dir: string) => relative(parent, dir).replaceAll('\\', '/');
    expect([id(first), id(second)]).toEqual(['2026-12-04/09-05-07', '2026-12-04/09-05-07-1']);
    expect(existsSync(second)).toBe(true);
    expect(id(createRunDir(parent, now, 'run-01'))).toBe('run-01');
    expect(startedAt(id(second))).toBe('2026-12-04T09:05:07');
  });

  it('reads the start time and the sweep back from a run id', () => {
    expect(startedAt('2026-12-04/11-50-00')).toBe('2026-12-04T11:50:00');
    expect(startedAt('sweeps/2026-12-04/12-00-00/run-01')).toBe('2026-12-04T12:00:00');
    expect(startedAt('named-run')).toBeNull();
    expect(sweepOf('sweeps/2026-12-04/12-00-00/run-01')).toBe('sweeps/2026-12-04/12-00-00');
    expect(sweepOf('runs/sweeps/2026-12-04/12-00-00/run-01')).toBe('runs/sweeps/2026-12-04/12-00-00');
    expect(sweepOf('2026-12-04/11-50-00')).toBeNull();
  });
});

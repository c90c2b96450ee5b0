import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_LAPSE_MS, HEARTBEAT_MS, liveFields, RESUMABLE, runStatus } from '../src/index.js';

describe('a run status', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const beat = (ms: number) => new Date(now - ms).toISOString();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;

  it('is what metrics.json says once the run has ended', () => {
    expect(runStatus({ status: 'completed' }, now)).toBe('completed');
    expect(runStatus({ status: 'failed' }, now)).toBe('failed');
    expect(runStatus({}, now)).toBe('unknown');
  });

  it('is interrupted when a running run’s process is gone from this machine', () => {
    const live = { status: 'running', host: hostname(), heartbeat_at: beat(1000) };
    expect(runStatus({ ...live, pid: process.pid }, now)).toBe('running');
    expect(runStatus({ ...live, pid: gone }, now)).toBe('interrupted');
  });

  it('is interrupted when a running run on another machine missed its heartbeats', () => {
    const elsewhere = { status: 'running', host: 'another-machine', pid: process.pid };
    expect(runStatus({ ...elsewhere, heartbeat_at: beat(HEARTBEAT_LAPSE_MS - 1000) }, now)).toBe('running');
    expect(runStatus({ ...elsewhere, heartbeat_at: beat(HEARTBEAT_LAPSE_MS + 1000) }, now)).toBe(
      'interrupted',
    );
  });
});

describe('a live run', () => {
  it('writes the fields that read back as running, with this process and a fresh heartbeat', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const fields = liveFields(now);
    expect(fields).toEqual({
      status: 'running',
      pid: process.pid,
      host: hostname(),
      heartbeat_at: now.toISOString(),
    });
    expect(runStatus({ ...fields }, now.getTime() + HEARTBEAT_MS)).toBe('running');
  });

  it('can be resumed only once it stopped unfinished', () => {
    expect([...RESUMABLE].sort()).toEqual(['failed', 'interrupted']);
  });
});

import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../src/dashboard/records.js';
import { hrefOf, parseRoute, type Route } from '../src/dashboard/route.js';
import { defaultQuery, differingKeys, selectRuns, statusesOf } from '../src/dashboard/runs-table.js';

function run(
  id: string,
  accuracy: number | null,
  config: Record<string, unknown>,
  status = 'completed',
): RunSummary {
  return {
    id,
    status,
    network: String(config['model.architecture'] ?? 'compact'),
    startedAt: id.replace('/', 'T'),
    seconds: 10,
    epochs: 3,
    metrics: { val_accuracy: accuracy },
    dataHash: 'abc123',
    configHash: null,
    modelVersion: null,
    error: null,
    sweep: null,
    config,
  };
}

const runs = [
  run('2026-12-01/10-00-00', 0.9, { 'optimizer.name': 'adamw', 'optimizer.lr': 0.003 }),
  run('2026-12-02/10-00-00', 0.95, { 'optimizer.name': 'sgd', 'optimizer.lr': 0.01 }),
  run('2026-12-03/10-00-00', null, { 'optimizer.name': 'adamw', 'optimizer.lr': 0.001 }, 'failed'),
];

describe('the runs list', () => {
  it('shows the newest first by default', () => {
    expect(selectRuns(runs, defaultQuery).map((r) => r.id)).toEqual([
      '2026-12-03/10-00-00',
      '2026-12-02/10-00-00',
      '2026-12-01/10-00-00',
    ]);
  });

  it('sorts by a figure either way, runs without it last', () => {
    const by = (direction: 'ascending' | 'descending') =>
      selectRuns(runs, { ...defaultQuery, sort: 'val_accuracy', direction }).map(
        (r) => r.metrics.val_accuracy,
      );
    expect(by('descending')).toEqual([0.95, 0.9, null]);
    expect(by('ascending')).toEqual([0.9, 0.95, null]);
  });

  it('filters by every word, over config values as key=value, and by status', () => {
    expect(selectRuns(runs, { ...defaultQuery, text: 'sgd' }).map((r) => r.id)).toEqual([
      '2026-12-02/10-00-00',
    ]);
    expect(selectRuns(runs, { ...defaultQuery, text: 'optimizer.lr=0.003' })).toHaveLength(1);
    expect(selectRuns(runs, { ...defaultQuery, text: 'adamw 2026-12-03' })).toHaveLength(1);
    expect(selectRuns(runs, { ...defaultQuery, status: 'failed' }).map((r) => r.status)).toEqual(['failed']);
    expect(statusesOf(runs)).toEqual(['completed', 'failed']);
  });

  it('compares configs on the keys that differ, a missing key counting as different', () => {
    expect(differingKeys(runs.map((r) => r.config))).toEqual(['optimizer.lr', 'optimizer.name']);
    expect(
      differingKeys([
        { a: 1, b: [1, 2] },
        { a: 1, b: [1, 2], c: true },
      ]),
    ).toEqual(['c']);
  });
});

describe('dashboard routes', () => {
  it('round-trips every view through the URL hash, run ids with slashes included', () => {
    const routes = [
      { view: 'runs' },
      { view: 'run', id: 'sweeps/2026-12-04/12-00-00/run-01' },
      { view: 'compare', ids: ['2026-12-01/10-00-00', '2026-12-02/10-00-00'] },
      { view: 'sweeps' },
      { view: 'registry' },
    ] satisfies Route[];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(parseRoute('')).toEqual({ view: 'runs' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'runs' });
  });
});

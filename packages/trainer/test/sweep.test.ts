import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeConfig } from '../src/config/index.js';
import { CONFIG_DIR } from '../src/paths.js';
import { rankRuns, type SweepRun, writeLeaderboard } from '../src/sweep/leaderboard.js';
import { namedSweepPoints, readSweepSpec, type SweepSpec, sweepPoints } from '../src/sweep/spec.js';

const spec = (over: Partial<SweepSpec>): SweepSpec => ({
  method: 'grid',
  metric: 'val_accuracy',
  goal: 'maximize',
  max_runs: 10,
  seed: 0,
  fixed: ['training.epochs=1'],
  parameters: { 'optimizer.lr': [0.001, 0.01], model: ['compact', 'simple_cnn'] },
  points: {},
  ...over,
});

describe('sweep points', () => {
  it('takes every combination in grid order, each a list of overrides that compose', () => {
    const points = sweepPoints(spec({}));
    expect(points).toEqual([
      ['training.epochs=1', 'optimizer.lr=0.001', 'model=compact'],
      ['training.epochs=1', 'optimizer.lr=0.01', 'model=compact'],
      ['training.epochs=1', 'optimizer.lr=0.001', 'model=simple_cnn'],
      ['training.epochs=1', 'optimizer.lr=0.01', 'model=simple_cnn'],
    ]);
    for (const overrides of points)
      expect(() => composeConfig({ configDir: CONFIG_DIR, overrides })).not.toThrow();
  });

  it('runs named recipes in order with the fixed overrides first, and refuses an empty list', () => {
    const list = spec({
      method: 'list',
      points: { fast: ['data.image_size=96'], wide: ['model.width=24', 'training.epochs=2'] },
    });
    expect(namedSweepPoints(list)).toEqual([
      { name: 'fast', overrides: ['training.epochs=1', 'data.image_size=96'] },
      { name: 'wide', overrides: ['training.epochs=1', 'model.width=24', 'training.epochs=2'] },
    ]);
    for (const { overrides } of namedSweepPoints(list))
      expect(() => composeConfig({ configDir: CONFIG_DIR, overrides })).not.toThrow();
    const file = join(mkdtempSync(join(tmpdir(), 'sweep-')), 'sweep.yaml');
    writeFileSync(
      file,
      'method: list\nmetric: val_accuracy\ngoal: maximize\nmax_runs: 2\nseed: 0\nfixed: []\n',
    );
    expect(() => readSweepSpec(file)).toThrow(/points: method list needs at least one entry/);
  });

  it('caps the runs, and draws distinct random points reproducibly from the seed', () => {
    expect(sweepPoints(spec({ max_runs: 3 }))).toHaveLength(3);
    const random = sweepPoints(spec({ method: 'random', max_runs: 3, seed: 7 }));
    expect(random).toEqual(sweepPoints(spec({ method: 'random', max_runs: 3, seed: 7 })));
    expect(new Set(random.map((p) => p.join())).size).toBe(3);
    const others = [1, 2, 3, 4, 5].map((seed) =>
      sweepPoints(spec({ method: 'random', max_runs: 3, seed })).join('|'),
    );
    expect(new Set([random.join('|'), ...others]).size).toBeGreaterThan(1);
  });

  it('reads the shipped sweep file and rejects a malformed one with the key named', () => {
    const shipped = readSweepSpec(join(CONFIG_DIR, 'sweep.yaml'));
    expect(sweepPoints(shipped).length).toBeLessThanOrEqual(shipped.max_runs);
    const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'method: bayes\nmetric: x\ngoal: maximize\nmax_runs: 2\nseed: 0\nfixed: []\nparameters: {}\n',
    );
    expect(() => readSweepSpec(bad)).toThrow(/Invalid sweep file .*bad.yaml: method:/);
  });
});

describe('leaderboard', () => {
  const run = (name: string, accuracy: number | null, loss: number): SweepRun => ({
    run_dir: `/s/${name}`,
    overrides: [`tag=${name}`],
    status: accuracy === null ? 'interrupted' : 'completed',
    seconds: 10,
    metrics: { val_accuracy: accuracy, val_loss: loss },
  });
  const runs = [run('a', 0.8, 0.5), run('b', null, 9), run('c', 0.9, 0.7), run('d', 0.85, 0.3)];

  it('ranks by the metric in the direction of the goal, runs without it last', () => {
    expect(rankRuns(runs, 'val_accuracy', 'maximize').map((r) => [r.rank, r.run_dir])).toEqual([
      [1, '/s/c'],
      [2, '/s/d'],
      [3, '/s/a'],
      [4, '/s/b'],
    ]);
    expect(rankRuns(runs, 'val_loss', 'minimize').map((r) => r.run_dir)).toEqual([
      '/s/d',
      '/s/a',
      '/s/c',
      '/s/b',
    ]);
  });

  it('writes the ranking as JSON, as a markdown table and as a time-versus-score chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leaderboard-'));
    await writeLeaderboard(dir, rankRuns(runs, 'val_accuracy', 'maximize'), 'val_accuracy', '/s');
    const json = JSON.parse(readFileSync(join(dir, 'leaderboard.json'), 'utf8'));
    expect(json.metric).toBe('val_accuracy');
    expect(json.runs[0]).toMatchObject({ rank: 1, score: 0.9, overrides: ['tag=c'] });
    const md = readFileSync(join(dir, 'leaderboard.md'), 'utf8').split('\n');
    expect(md[2]).toBe('| rank | name | val_accuracy | overrides | status | seconds | run |');
    expect(md[4]).toBe('| 1 |  | 0.9000 | `tag=c` | completed | 10 | c |');
    expect(md[7]).toBe('| 4 |  | n/a | `tag=b` | interrupted | 10 | b |');
    const png = readFileSync(join(dir, 'tradeoff.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

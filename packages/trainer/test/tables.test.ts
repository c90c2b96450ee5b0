import { describe, expect, it } from 'vitest';
import { duration, leaderboardTable, reportTable } from '../src/commands/tables.js';
import { classificationReport } from '../src/metrics/classification.js';

describe('the tables a person reads when a command ends', () => {
  it('says durations in the units a person uses', () => {
    expect([duration(42.4), duration(187), duration(3725)]).toEqual(['42 s', '3 min 07 s', '1 h 02 min']);
  });

  it('gives one row per class, then the averages', () => {
    const labels = new Int32Array([0, 0, 1, 1]);
    const probabilities = new Float32Array([0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7]);
    const table = reportTable(classificationReport(labels, probabilities, ['glioma', 'notumor']));
    expect(Object.keys(table)).toEqual(['glioma', 'notumor', 'macro average', 'weighted average']);
    expect(table.glioma).toEqual({
      precision: '1.000',
      recall: '0.500',
      F1: '0.667',
      'ROC AUC': '1.000',
      images: 2,
    });
    expect(table['macro average']?.images).toBe(4);
  });

  it('ranks sweep runs with their score, status and time', () => {
    const rows = leaderboardTable(
      [
        {
          rank: 1,
          score: 0.97123,
          name: 'wide',
          run_dir: 'a',
          overrides: [],
          status: 'completed',
          seconds: 61,
          metrics: {},
        },
        {
          rank: 2,
          score: null,
          run_dir: 'b',
          overrides: ['optimizer.lr=1'],
          status: 'failed',
          seconds: 3,
          metrics: {},
        },
      ],
      'val_accuracy',
    );
    expect(rows).toEqual([
      { rank: 1, name: 'wide', val_accuracy: '0.9712', status: 'completed', time: '1 min 01 s' },
      { rank: 2, name: 'optimizer.lr=1', val_accuracy: '', status: 'failed', time: '3 s' },
    ]);
  });
});

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeConfig } from '../src/config/index.js';
import { CONFIG_DIR } from '../src/paths.js';
import { type Checkpoint, checkpointPath, readCheckpoint, writeCheckpoint } from '../src/train/checkpoint.js';
import { seededRandom } from '../src/train/random.js';

const checkpoint: Checkpoint = {
  epoch: 2,
  step: 20,
  engine: {
    steps: 20,
    optimizerSteps: 20,
    weights: [new Float32Array([1, 2, 3]), new Float32Array([-0.5])],
    slots: [new Float32Array([0.1, 0.2, 0.3]), new Float32Array([7]), new Float32Array([8, 9, 10, 11])],
  },
  nextOrder: new Int32Array([3, 0, 2, 1]),
  rng: 123456789,
  history: [
    {
      epoch: 1,
      train_loss: 1.2,
      train_accuracy: 0.4,
      val_loss: 1.1,
      val_accuracy: 0.5,
      val_macro_f1: 0.45,
      lr: 0.001,
      seconds: 3,
      train_img_s: 50,
    },
  ],
  best: { epoch: 1, score: 0.5, probabilities: new Float32Array([0.25, 0.75, 0.5, 0.5]) },
  stopped: null,
  configHash: 'c'.repeat(64),
  dataHash: 'd'.repeat(64),
  seconds: 6.5,
};

describe('the checkpoint file', () => {
  it('reads back exactly what was written, with no temp file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
    writeCheckpoint(dir, checkpoint);
    expect(readCheckpoint(dir)).toEqual(checkpoint);
    expect(readdirSync(dir)).toEqual(['checkpoint.bin']);
    writeCheckpoint(dir, { ...checkpoint, best: null, epoch: 3 });
    expect(readCheckpoint(dir)).toMatchObject({ best: null, epoch: 3, nextOrder: checkpoint.nextOrder });
  });

  it('says in one sentence that a damaged or missing checkpoint cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
    expect(() => readCheckpoint(dir)).toThrow(/has no checkpoint to resume from/);
    writeCheckpoint(dir, checkpoint);
    const bytes = readFileSync(checkpointPath(dir));
    writeFileSync(checkpointPath(dir), bytes.subarray(0, bytes.length - 8));
    expect(() => readCheckpoint(dir)).toThrow(/^Cannot read the checkpoint .* \(truncated\)/);
  });
});

describe('the random stream', () => {
  it('continues from its saved position', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 5; i++) random();
    const copy = seededRandom(random.state());
    expect([copy(), copy(), copy()]).toEqual([random(), random(), random()]);
  });
});

describe('training.resume', () => {
  it('is not part of the config hash: a retry that resumes runs the same config', () => {
    const plain = composeConfig({ configDir: CONFIG_DIR });
    const auto = composeConfig({ configDir: CONFIG_DIR, overrides: ['training.resume=auto'] });
    expect(auto.config.training.resume).toBe('auto');
    expect(auto.hash).toBe(plain.hash);
    expect(composeConfig({ configDir: CONFIG_DIR, overrides: ['training.epochs=3'] }).hash).not.toBe(
      plain.hash,
    );
  });
});

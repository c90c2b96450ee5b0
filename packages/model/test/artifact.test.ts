import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, createTrainEngine, loadClassifier, type TrainEngine } from '../src/index.js';
import { loadServingClassifier } from '../src/serving/index.js';
import { engineOptions, syntheticBatch, TEST_SPEC } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'model-artifact-'));
const saved = join(root, 'model');
const metadata = {
  preprocessing: TEST_SPEC,
  configHash: 'abc123',
  metrics: { val_accuracy: 0.5 },
} as const;
let engine: TrainEngine;

beforeAll(async () => {
  engine = await createTrainEngine(engineOptions({ architecture: 'compact' }));
  await engine.trainStep(syntheticBatch(32, 8, 1));
  await engine.save(saved, metadata);
});
afterAll(async () => {
  await engine.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** A copy of the saved artifact with one file replaced (or removed when `content` is undefined). */
function corrupted(file: string, edit: (text: Buffer) => Buffer | string | undefined): string {
  const dir = mkdtempSync(join(root, 'bad-'));
  for (const name of readdirSync(saved)) {
    const content = name === file ? edit(readFileSync(join(saved, name))) : readFileSync(join(saved, name));
    if (content !== undefined) writeFileSync(join(dir, name), content);
  }
  return dir;
}

function editJson(edit: (json: Record<string, unknown>) => void) {
  return (text: Buffer) => {
    const json = JSON.parse(text.toString());
    edit(json);
    return JSON.stringify(json);
  };
}

describe('artifact', () => {
  it('round-trips: the loaded classifier predicts exactly what the engine predicts', async () => {
    const probe = syntheticBatch(32, 6, 42);
    const classifier = await loadClassifier(saved, { backend: 'wasm' });
    expect(Array.from(await classifier.predict(probe.images, 6))).toEqual(
      Array.from(await engine.predict(probe.images, 6)),
    );
    expect(classifier.metadata).toMatchObject({
      formatVersion: 1,
      architecture: 'compact',
      inputSize: 32,
      classNames: ['glioma', 'meningioma', 'notumor', 'pituitary'],
      configHash: 'abc123',
    });
    expect(Date.parse(classifier.metadata.createdAt)).not.toBeNaN();
    classifier.dispose();
  });

  it('replaces an existing artifact atomically and leaves no staging directories', async () => {
    await engine.save(saved, { ...metadata, configHash: 'second' });
    const text = readFileSync(join(saved, 'metadata.json'), 'utf8');
    expect(JSON.parse(text).configHash).toBe('second');
    expect(readdirSync(root).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it.each([
    ['a missing weights file', 'weights.bin', () => undefined, /weights\.bin is missing/],
    [
      'invalid JSON metadata',
      'metadata.json',
      () => '{"formatVersion": 1,',
      /metadata\.json is not valid JSON/,
    ],
    ['invalid JSON model', 'model.json', () => 'nope', /model\.json is not valid JSON/],
    ['a truncated weights file', 'weights.bin', (b: Buffer) => b.subarray(0, b.length - 8), /truncated/],
    [
      'an unknown format version',
      'metadata.json',
      editJson((j) => {
        j.formatVersion = 99;
      }),
      /format version 99/,
    ],
    [
      'a class count mismatch',
      'metadata.json',
      editJson((j) => {
        j.classNames = ['a', 'b', 'c'];
      }),
      /4 outputs but its metadata lists 3 classes/,
    ],
    [
      'an input size mismatch',
      'metadata.json',
      editJson((j) => {
        j.inputSize = 64;
        (j.preprocessing as { size: number }).size = 64;
      }),
      /takes 32x32 images but its metadata says 64/,
    ],
    ['a model.json without topology', 'model.json', () => '{}', /not a tfjs layers model/],
    [
      'an invalid preprocessing spec',
      'metadata.json',
      editJson((j) => {
        (j.preprocessing as { std: number }).std = 0;
      }),
      /invalid preprocessing spec \(Preprocessing spec field "std" must be a positive number, got 0\.\)/,
    ],
  ] as const)(
    'refuses %s with one clear ArtifactError, in both loaders',
    async (_case, file, edit, message) => {
      const dir = corrupted(file, edit);
      for (const load of [() => loadClassifier(dir, { backend: 'wasm' }), () => loadServingClassifier(dir)]) {
        const error = await load().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ArtifactError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message.split('\n')).toHaveLength(1);
      }
    },
  );

  it('refuses a directory that holds no artifact', async () => {
    await expect(loadClassifier(join(root, 'nowhere'))).rejects.toThrow(/metadata\.json is missing/);
  });
});

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byCodePoint, discoverDataset } from '../src/discover.js';
import { DatasetError } from '../src/errors.js';
import { SAMPLE_ROOT, sampleCopy, tempDir, writeFile } from './helpers.js';

describe('discoverDataset', () => {
  it('reads the Kaggle layout of the embedded sample', () => {
    const dataset = discoverDataset(SAMPLE_ROOT);
    expect(dataset.layout).toBe('kaggle');
    expect(dataset.classNames).toEqual(['glioma', 'meningioma', 'notumor', 'pituitary']);
    expect(dataset.training).toHaveLength(160);
    expect(dataset.testing).toHaveLength(40);
    for (const file of dataset.training) {
      expect(file.path.split('/')).toEqual(['Training', dataset.classNames[file.label], expect.any(String)]);
    }
    const paths = dataset.training.map((f) => f.path);
    expect(paths).toEqual([...paths].sort(byCodePoint));
  });

  it('reads a root of class folders, sorted, ignoring hidden and non-image files', () => {
    const root = tempDir();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
    writeFile(join(root, 'zeta', 'b.JPG'), jpeg);
    writeFile(join(root, 'zeta', 'a.png'), jpeg);
    writeFile(join(root, 'zeta', 'notes.txt'), 'not an image');
    writeFile(join(root, 'zeta', '.hidden.jpg'), jpeg);
    writeFile(join(root, 'alpha', 'x.jpeg'), jpeg);
    mkdirSync(join(root, '.git'));
    const dataset = discoverDataset(root);
    expect(dataset.layout).toBe('flat');
    expect(dataset.classNames).toEqual(['alpha', 'zeta']);
    expect(dataset.training).toEqual([
      { path: 'alpha/x.jpeg', label: 0 },
      { path: 'zeta/a.png', label: 1 },
      { path: 'zeta/b.JPG', label: 1 },
    ]);
    expect(dataset.testing).toEqual([]);
  });

  it('orders names by code point, not by UTF-16 unit or locale', () => {
    // U+FF5A (fullwidth z) sorts before U+1F600 by code point, after it by UTF-16 unit (0xD83D < 0xFF5A).
    const names = ['\u{1F600}.jpg', '\uFF5A.jpg', 'B.jpg', 'a.jpg', '\u00E9.jpg'];
    expect([...names].sort(byCodePoint)).toEqual([
      'B.jpg',
      'a.jpg',
      '\u00E9.jpg',
      '\uFF5A.jpg',
      '\u{1F600}.jpg',
    ]);
    const root = tempDir();
    for (const name of names) writeFile(join(root, 'c', name), 'x');
    expect(discoverDataset(root).training.map((f) => f.path.slice(2))).toEqual([...names].sort(byCodePoint));
  });

  it('lists symlinked files too (a broken one is reported later as unreadable)', () => {
    const root = sampleCopy(1);
    symlinkSync(join(root, 'missing.jpg'), join(root, 'Training', 'glioma', 'zz-link.jpg'));
    expect(discoverDataset(root).training.map((f) => f.path)).toContain('Training/glioma/zz-link.jpg');
  });

  it('stops with one sentence on a missing root', () => {
    expect(() => discoverDataset('/no/such/folder')).toThrow(
      new DatasetError(
        'Dataset folder /no/such/folder does not exist; set the data root (--root for pnpm data, data.root= for pnpm train) to a folder of class folders.',
      ),
    );
  });

  it('stops on a root without class folders', () => {
    const root = tempDir();
    writeFile(join(root, 'a.jpg'), 'x');
    expect(() => discoverDataset(root)).toThrow(/holds no class folders/);
  });

  it('stops on an empty class, naming its folder', () => {
    const root = sampleCopy(1);
    mkdirSync(join(root, 'Training', 'empty'));
    expect(() => discoverDataset(root)).toThrow(
      /Class folder .*Training\/empty holds no \.jpg, \.jpeg or \.png images/,
    );
  });

  it('stops on a test class that training does not have', () => {
    const root = sampleCopy(1);
    writeFile(join(root, 'Testing', 'other', 'a.jpg'), 'x');
    expect(() => discoverDataset(root)).toThrow(/Testing\/other is not one of the training classes/);
  });
});

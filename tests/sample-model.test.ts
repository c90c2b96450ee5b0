import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocess } from '@mri/data';
import { loadClassifier } from '@mri/model';
import { REPO_ROOT } from '@mri/trainer';
import { describe, expect, it } from 'vitest';
import { ensureSampleModel } from './support/sample-model.js';

describe('the shared sample model fixture', () => {
  it('trains once, then returns the cached folder, whose model classifies a real image', async () => {
    const dir = await ensureSampleModel();
    const started = performance.now();
    expect(await ensureSampleModel()).toBe(dir);
    expect(performance.now() - started).toBeLessThan(2000);

    const classifier = await loadClassifier(dir);
    try {
      const { metadata } = classifier;
      expect(metadata.classNames).toEqual(['glioma', 'meningioma', 'notumor', 'pituitary']);
      const bytes = readFileSync(
        join(REPO_ROOT, 'sample/brain-mri/Testing/notumor', firstJpeg('Testing/notumor')),
      );
      const probs = await classifier.predict(await preprocess(bytes, metadata.preprocessing), 1);
      expect(probs).toHaveLength(4);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      classifier.dispose();
    }
  }, 180_000);
});

function firstJpeg(folder: string): string {
  return readdirSync(join(REPO_ROOT, 'sample/brain-mri', folder))
    .filter((f) => f.endsWith('.jpg'))
    .sort()[0] as string;
}

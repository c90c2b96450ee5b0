/**
 * A real model trained on the embedded sample, for the cross-package tests that need the trainer's own model (the browser). Trained once and
 * cached under .cache/sample-model/<hash>, where the hash covers everything the model depends on: the sample's
 * bytes, the fixture's config and the source of the data and model packages. Parallel callers wait on a lock
 * instead of training twice.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cachedBuild } from '@mri/model/testing';
import { CONFIG_DIR, composeConfig, REPO_ROOT, train } from '@mri/trainer';

/** Small and quick: 64 px, a few epochs; accurate enough that predictions are meaningful, not a quality figure. */
export const SAMPLE_MODEL_OVERRIDES = [
  'data.image_size=64',
  'training.epochs=4',
  'training.early_stopping_patience=0',
  'registry.register=false',
  'workers=0',
];

export function ensureSampleModel(): Promise<string> {
  const cacheDir = join(REPO_ROOT, '.cache', 'sample-model');
  return cachedBuild({
    cacheDir,
    name: 'model',
    root: REPO_ROOT,
    inputs: [
      'sample/brain-mri',
      'configs',
      'packages/data/src',
      'packages/model/src',
      'packages/kernels/src',
    ].map((dir) => join(REPO_ROOT, dir)),
    salt: JSON.stringify(SAMPLE_MODEL_OVERRIDES),
    build: async (into) => {
      const runs = join(cacheDir, 'runs');
      const composed = composeConfig({
        configDir: CONFIG_DIR,
        overrides: [...SAMPLE_MODEL_OVERRIDES, `output_dir=${runs}`],
      });
      const summary = await train(composed, { progress: false });
      if (!summary.model_dir)
        throw new Error(`Training the sample model produced no model (status ${summary.status}).`);
      cpSync(summary.model_dir, into, { recursive: true });
      rmSync(runs, { recursive: true, force: true });
    },
  });
}

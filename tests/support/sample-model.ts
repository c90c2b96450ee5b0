/**
 * A real model trained on the embedded sample, for tests that need one (the API, the browser). Trained once and
 * cached under .cache/sample-model/<hash>, where the hash covers everything the model depends on: the sample's
 * bytes, the fixture's config and the source of the data and model packages. Parallel callers wait on a lock
 * instead of training twice.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_DIR, composeConfig, REPO_ROOT, train } from '@mri/trainer';

/** Small and quick: 64 px, a few epochs; accurate enough that predictions are meaningful, not a quality figure. */
export const SAMPLE_MODEL_OVERRIDES = [
  'data.image_size=64',
  'training.epochs=4',
  'training.early_stopping_patience=0',
  'registry.register=false',
  'workers=0',
];

const CACHE = join(REPO_ROOT, '.cache', 'sample-model');
const LOCK_STALE_MS = 5 * 60_000;

export async function ensureSampleModel(): Promise<string> {
  const target = join(CACHE, fixtureHash(), 'model');
  if (existsSync(join(target, 'metadata.json'))) return target;
  await withLock(join(CACHE, 'lock'), async () => {
    if (existsSync(join(target, 'metadata.json'))) return;
    const runs = join(CACHE, 'runs');
    const composed = composeConfig({
      configDir: CONFIG_DIR,
      overrides: [...SAMPLE_MODEL_OVERRIDES, `output_dir=${runs}`],
    });
    const summary = await train(composed, { progress: false });
    if (!summary.model_dir)
      throw new Error(`Training the sample model produced no model (status ${summary.status}).`);
    const temp = `${target}.tmp-${process.pid}`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(summary.model_dir, temp, { recursive: true });
    renameSync(temp, target);
    rmSync(runs, { recursive: true, force: true });
  });
  return target;
}

function fixtureHash(): string {
  const hash = createHash('sha256').update(JSON.stringify(SAMPLE_MODEL_OVERRIDES));
  for (const dir of ['sample/brain-mri', 'configs', 'packages/data/src', 'packages/model/src']) {
    for (const file of filesUnder(join(REPO_ROOT, dir))) {
      hash.update(relative(REPO_ROOT, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function withLock(lockDir: string, work: () => Promise<void>): Promise<void> {
  mkdirSync(join(lockDir, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

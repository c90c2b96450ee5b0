import { afterEach, describe, expect, it } from 'vitest';
import { InferencePool, prestartWorker, releasePrestartedWorker } from '../src/inference/pool.js';
import { enlarged, readSample, sampleImages } from './support/sample.js';
import { testModel } from './support/server.js';

const pools: InferencePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await releasePrestartedWorker();
});

async function loadedPool(): Promise<InferencePool> {
  const pool = new InferencePool({ modelDir: await testModel(), backend: 'wasm', maxPixels: 50_000_000 }, 1);
  pools.push(pool);
  await pool.loaded();
  return pool;
}

describe('the inference pool', () => {
  it('adopts a worker started before the model was known, and serves with it', async () => {
    prestartWorker();
    const pool = await loadedPool();
    const [image] = sampleImages('Testing');
    const { items } = await pool.run([readSample(image?.path ?? '')]);
    expect(items[0]).toMatchObject({ ok: true });
    // Adopted, so nothing is left to release (a worker still waiting is terminated, with its exit code).
    expect(await releasePrestartedWorker()).toBeUndefined();
    prestartWorker();
    expect(typeof (await releasePrestartedWorker())).toBe('number');
  }, 60_000);

  it('decodes large JPEGs in workers that replace each other (sharp stays loaded on the main thread)', async () => {
    const photo = await enlarged(sampleImages('Testing')[0]?.path ?? '');
    for (let round = 0; round < 2; round++) {
      const pool = await loadedPool();
      const { items } = await pool.run([new Uint8Array(photo)]);
      const [item] = items;
      expect(item?.ok, JSON.stringify(item)).toBe(true);
      await pool.close();
    }
  }, 60_000);
});

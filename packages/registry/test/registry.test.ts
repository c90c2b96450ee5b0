import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsStore } from '@mri/storage';
import { FakeGcsServer } from '@mri/storage/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelRegistry, openRegistry, resolveModel } from '../src/index.js';

// The registry copies whatever files a model folder holds; these tests give it a small folder of known bytes.
function modelFolder(root: string, tag: string): string {
  const dir = join(root, `model-${tag}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ tag }));
  writeFileSync(join(dir, 'sub', 'weights.bin'), Buffer.from([1, 2, 3, Number(tag)]));
  return dir;
}

const info = (accuracy: number) => ({
  architecture: 'compact',
  metrics: { val_accuracy: accuracy },
  dataHash: 'd'.repeat(64),
  configHash: 'c'.repeat(64),
  config: { training: { epochs: 1 } },
  run: null,
});

describe('model registry in a local folder', () => {
  let root: string;
  let registryUrl: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'registry-'));
    registryUrl = join(root, 'registry');
  });

  it('registers versions in order, points latest at the newest and records what it was told', async () => {
    const registry = openRegistry({ registryUrl });
    const first = await registry.register(modelFolder(root, '1'), info(0.9));
    const second = await registry.register(modelFolder(root, '2'), info(0.95));
    expect([first.version, second.version]).toEqual(['v1', 'v2']);
    expect(second.files).toEqual(['model.json', 'sub/weights.bin']);
    const index = JSON.parse(readFileSync(join(registryUrl, 'registry.json'), 'utf8'));
    expect(index.aliases).toEqual({ latest: 'v2', production: 'v1' });
    expect(index.versions[1]).toMatchObject({ metrics: { val_accuracy: 0.95 }, dataHash: 'd'.repeat(64) });
  });

  it('promotes a version to an alias and resolves aliases, versions and folders to model folders', async () => {
    const registry = openRegistry({ registryUrl });
    await registry.register(modelFolder(root, '1'), info(0.9));
    await registry.register(modelFolder(root, '2'), info(0.95));
    await registry.promote('2', 'staging');

    const { dir: staging, version } = await resolveModel('staging', { registryUrl });
    expect(version).toBe('v2');
    expect(JSON.parse(readFileSync(join(staging, 'model.json'), 'utf8'))).toEqual({ tag: '2' });
    expect(readFileSync(join(staging, 'sub', 'weights.bin'))).toEqual(Buffer.from([1, 2, 3, 2]));
    expect((await resolveModel('production', { registryUrl })).dir).toBe(join(registryUrl, 'models', 'v1'));
    expect((await resolveModel('v2', { registryUrl })).dir).toBe(join(registryUrl, 'models', 'v2'));
    expect((await resolveModel('latest', { registryUrl })).dir).toBe(join(registryUrl, 'models', 'v2'));
    const folder = modelFolder(root, '3');
    expect((await resolveModel(folder, { registryUrl })).dir).toBe(folder);

    await registry.promote('v2', 'production');
    expect((await resolveModel('production', { registryUrl })).dir).toBe(join(registryUrl, 'models', 'v2'));
  });

  it('makes the first registered model production and says so; later ones move only latest', async () => {
    const told: { fields: object; message: string }[] = [];
    const logger = { info: (fields: object, message: string) => told.push({ fields, message }) };
    const registry = openRegistry({ registryUrl, logger });
    await registry.register(modelFolder(root, '1'), info(0.9));
    expect((await registry.index()).aliases).toEqual({ latest: 'v1', production: 'v1' });
    expect(told).toEqual([
      {
        fields: { version: 'v1', alias: 'production', registry: registryUrl },
        message: expect.stringMatching(/^no production model yet: v1 is production/),
      },
    ]);
    // MODEL=production, the service's default, now finds the model a first `pnpm start` trained.
    expect((await resolveModel('production', { registryUrl })).dir).toBe(join(registryUrl, 'models', 'v1'));

    await registry.register(modelFolder(root, '2'), info(0.95));
    expect((await registry.index()).aliases).toEqual({ latest: 'v2', production: 'v1' });
    await registry.promote('latest', 'production');
    await registry.register(modelFolder(root, '3'), info(0.96));
    expect((await registry.index()).aliases).toEqual({ latest: 'v3', production: 'v2' });
    expect(told).toHaveLength(1);
  });

  it('gives production to the next registration when a registry written before the policy has none', async () => {
    const registry = openRegistry({ registryUrl });
    await registry.register(modelFolder(root, '1'), info(0.9));
    const old = { ...(await registry.index()), aliases: { latest: 'v1' } };
    writeFileSync(join(registryUrl, 'registry.json'), JSON.stringify(old));
    await registry.register(modelFolder(root, '2'), info(0.95));
    expect((await registry.index()).aliases).toEqual({ latest: 'v2', production: 'v2' });
  });

  it('refuses unknown references and bad alias names with one sentence', async () => {
    const registry = openRegistry({ registryUrl });
    await expect(resolveModel('production', { registryUrl })).rejects.toThrow(
      /registry at .* is empty: train a model first/,
    );
    await registry.register(modelFolder(root, '1'), info(0.9));
    await expect(registry.promote('v7', 'production')).rejects.toThrow(
      /No model version or alias 'v7' in the registry at .* \(known: v1, latest, production\)/,
    );
    await expect(registry.promote('v1', 'Prod uction')).rejects.toThrow(/Alias 'Prod uction' is not allowed/);
    await expect(registry.register(join(root, 'nothing'), info(0.5))).rejects.toThrow(/no such folder/);
    expect(existsSync(join(registryUrl, 'models', 'v2'))).toBe(false);
  });
});

describe('model registry in a GCS bucket (a JSON-API server on loopback)', () => {
  let gcs: FakeGcsServer;
  beforeAll(async () => {
    gcs = await FakeGcsServer.start({ buckets: ['models'] });
  });
  afterAll(() => gcs.close());

  it('stores versions in the bucket and downloads a resolved version once into the cache', async () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-gcs-'));
    const cacheDir = join(root, 'cache');
    const registry = new ModelRegistry(
      new GcsStore('models', 'team/registry', { apiEndpoint: gcs.url }),
      cacheDir,
    );
    await registry.register(modelFolder(root, '1'), info(0.9));
    await registry.register(modelFolder(root, '2'), info(0.97));
    await registry.promote('v2', 'production');

    const dir = await registry.modelDir('production');
    expect(dir.startsWith(cacheDir)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toEqual({ tag: '2' });
    expect(readFileSync(join(dir, 'sub', 'weights.bin'))).toEqual(Buffer.from([1, 2, 3, 2]));
    expect(await registry.modelDir('v2')).toBe(dir);
    const index = await registry.index();
    expect(index.aliases).toEqual({ latest: 'v2', production: 'v2' });
    expect(await registry.store.list('models/v1/')).toEqual([
      'models/v1/model.json',
      'models/v1/sub/weights.bin',
    ]);
  });
});

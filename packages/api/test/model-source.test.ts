import { join } from 'node:path';
import { openRegistry } from '@mri/registry';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError, resolveModelSource as resolveModel } from '../src/model-source.js';
import { testModel, withTempDir } from './support/server.js';

describe("resolveModelSource (the registry's resolveModel, with the API's sentence)", () => {
  it('uses a model directory as it is', async () => {
    const dir = await testModel();
    expect(await resolveModel(dir, '/nonexistent/registry')).toEqual({ dir });
  });

  it('resolves a registry alias and a version to a folder and its version', async () => {
    await withTempDir(async (root) => {
      const registry = join(root, 'registry');
      const models = openRegistry({ registryUrl: registry, cacheDir: join(root, 'cache') });
      const entry = await models.register(await testModel(), {
        architecture: 'compact',
        metrics: {},
        dataHash: 'sample',
        configHash: 'test',
        config: {},
        run: null,
      });
      await models.promote(entry.version, 'production');

      const byAlias = await resolveModel('production', registry);
      expect(byAlias.version).toBe(entry.version);
      expect(byAlias.dir).toContain(registry);
      expect(await resolveModel(entry.version, registry)).toEqual(byAlias);
    });
  });

  it('says what was wrong when neither a folder nor a registry reference', async () => {
    await withTempDir(async (root) => {
      const error = await resolveModel('staging', join(root, 'empty-registry')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotFoundError);
      expect((error as Error).message).toMatch(
        /^MODEL=staging is not a model folder and the registry .* empty/,
      );
    });
  });
});

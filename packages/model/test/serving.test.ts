import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../src/contract.js';
import { ArtifactError, createTrainEngine, loadClassifier } from '../src/index.js';
import { loadServingClassifier } from '../src/serving/index.js';
import { engineOptions, syntheticBatch, TEST_SPEC } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'model-serving-'));
const metadata = {
  preprocessing: TEST_SPEC,
  configHash: 'serving',
  metrics: {},
} as const;

/** Trains a few steps first, so BatchNorm's moving statistics are far from identity and folding them matters. */
async function saved(architecture: ArchitectureName): Promise<string> {
  const dir = join(root, architecture);
  const engine = await createTrainEngine(engineOptions({ architecture }));
  for (let step = 0; step < 3; step++) await engine.trainStep(syntheticBatch(32, 8, step));
  await engine.save(dir, metadata);
  await engine.dispose();
  return dir;
}

const dirs = new Map<ArchitectureName, string>();
beforeAll(async () => {
  for (const architecture of ARCHITECTURE_NAMES) {
    dirs.set(architecture, await saved(architecture));
  }
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('serving loader', () => {
  it.each(ARCHITECTURE_NAMES)(
    '%s: answers what loadClassifier answers, within float rounding',
    async (architecture) => {
      const dir = dirs.get(architecture) as string;
      const probe = syntheticBatch(32, 5, 99);
      const layers = await loadClassifier(dir, { backend: 'wasm' });
      const serving = await loadServingClassifier(dir);
      const expected = await layers.predict(probe.images, 5);
      const actual = await serving.predict(probe.images, 5);
      expect(actual.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThan(1e-4);
      }
      // The folded BatchNorm must matter: the probabilities are not uniform.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1e-3);
      expect(serving.metadata).toEqual(layers.metadata);
      layers.dispose();
      serving.dispose();
    },
  );

  it('runs its convolutions on our kernels with filters prepared at load, in a process that loaded nothing else', () => {
    const program = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { fusedConv2dConfig } from '@mri/kernels/convolution';",
      "import { loadServingClassifier } from './src/serving/index.ts';",
      `const classifier = await loadServingClassifier(${JSON.stringify(dirs.get('compact'))});`,
      "console.log(tf.getKernel(tf.FusedConv2D, 'wasm')?.kernelFunc === fusedConv2dConfig.kernelFunc);",
      'const size = classifier.metadata.inputSize;',
      'const info = await tf.profile(() => classifier.predict(new Float32Array(size * size), 1));',
      // Every convolution runs with its prepared filter: none packs or transforms a filter per request.
      "console.log(info.kernelNames.includes('MriPreparedConv2D') && !info.kernelNames.includes('FusedConv2D'));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
    });
    expect(run.stderr.includes('Error') ? run.stderr : '').toBe('');
    expect(run.stdout.trim().split('\n').slice(-2)).toEqual(['true', 'true']);
  }, 60_000);

  it('refuses a missing artifact with one ArtifactError sentence', async () => {
    await expect(loadServingClassifier(join(root, 'nothing'))).rejects.toThrow(ArtifactError);
  });
});

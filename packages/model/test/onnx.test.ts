import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocess, SAMPLE_ROOT } from '@mri/data';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureName } from '../src/contract.js';
import { ArtifactError, createTrainEngine } from '../src/index.js';
import { openOnnx } from '../src/onnx/run.js';
import { exportOnnx, ONNX_OPSET } from '../src/onnx/write.js';
import { loadServingClassifier } from '../src/serving/index.js';
import { engineOptions, maxAbsDiff, syntheticBatch } from './fixtures.js';

const SIZE = 32;
const ARCHITECTURES = ['simple_cnn', 'compact', 'resnet18'] as const;
const root = mkdtempSync(join(tmpdir(), 'model-onnx-'));
const preprocessing = { version: 1, size: SIZE, channels: 1, mean: 0.5, std: 0.25 } as const;

/** A few training steps, so BatchNorm's statistics are far from identity and folding them is exercised. */
async function saved(architecture: ArchitectureName): Promise<string> {
  const dir = join(root, architecture);
  const engine = await createTrainEngine(engineOptions({ architecture, inputSize: SIZE }));
  for (let step = 0; step < 3; step++) await engine.trainStep(syntheticBatch(SIZE, 8, step));
  await engine.save(dir, { preprocessing, configHash: 'onnx', metrics: {} });
  await engine.dispose();
  return dir;
}

/** Two real images of each class from the committed sample, through the one preprocessing function. */
async function sampleImages(): Promise<{ images: Float32Array; count: number }> {
  const training = join(SAMPLE_ROOT, 'Training');
  const files = readdirSync(training)
    .sort()
    .flatMap((label) =>
      readdirSync(join(training, label))
        .sort()
        .slice(0, 2)
        .map((file) => join(training, label, file)),
    );
  const images = new Float32Array(files.length * SIZE * SIZE);
  for (const [i, file] of files.entries()) {
    images.set(await preprocess(readFileSync(file), preprocessing), i * SIZE * SIZE);
  }
  return { images, count: files.length };
}

const dirs = new Map<ArchitectureName, string>();
let sample: { images: Float32Array; count: number };
beforeAll(async () => {
  sample = await sampleImages();
  for (const architecture of ARCHITECTURES) dirs.set(architecture, await saved(architecture));
}, 480_000); // three trainings: minutes on a loaded 2-core machine
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ONNX export', () => {
  it.each(ARCHITECTURES)(
    '%s: onnxruntime-web gives the serving plan’s probabilities within 1e-4 on sample images',
    async (architecture) => {
      const dir = dirs.get(architecture) as string;
      const { bytes, metadata } = await exportOnnx(dir);
      const serving = await loadServingClassifier(dir);
      const onnx = await openOnnx(bytes, SIZE);
      const expected = await serving.predict(sample.images, sample.count);
      const actual = await onnx.predict(sample.images, sample.count);
      expect(actual.length).toBe(sample.count * metadata.classNames.length);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4);
      // Not a trivial agreement: the model separates the images.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1e-3);
      serving.dispose();
      await onnx.dispose();
    },
    60_000,
  );

  it('writes a standard ModelProto: opset, NHWC input, class names in the metadata', async () => {
    const { bytes } = await exportOnnx(dirs.get('simple_cnn') as string);
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(Number(model.opsetImport[0]?.version)).toBe(ONNX_OPSET);
    const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.map((d) => d.dimValue ?? d.dimParam);
    expect(dims?.slice(1).map(Number)).toEqual([SIZE, SIZE, 1]);
    const classNames = model.metadataProps.find((p) => p.key === 'class_names')?.value;
    expect(JSON.parse(classNames ?? '[]')).toEqual(['glioma', 'meningioma', 'notumor', 'pituitary']);
    expect(model.graph?.node?.some((n) => n.opType === 'BatchNormalization')).toBe(false); // folded
  });

  it('refuses a folder that holds no model with an ArtifactError', async () => {
    await expect(exportOnnx(join(root, 'nothing'))).rejects.toThrow(ArtifactError);
  });
});

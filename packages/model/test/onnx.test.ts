import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocess, SAMPLE_ROOT, specFor } from '@mri/data';
import { REPO_ROOT } from '@mri/data/paths';
import { seededRandom } from '@mri/data/random';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureName } from '../src/contract.js';
import { ARCHITECTURES, ArtifactError } from '../src/index.js';
import { openOnnx } from '../src/onnx/run.js';
import { exportOnnx, ONNX_OPSET } from '../src/onnx/write.js';
import { loadServingClassifier } from '../src/serving/index.js';
import { untrainedModel } from '../src/testing.js';
import { maxAbsDiff } from './fixtures.js';

const SIZE = 32;
const SHIPPED_MODEL = join(REPO_ROOT, 'reports', 'model');
const root = mkdtempSync(join(tmpdir(), 'model-onnx-'));

/**
 * A zoo network with BatchNorm far from identity: freshly initialised (no training, so the test stays quick on a
 * busy machine), then every BatchNorm's scale, offset and moving statistics set to seeded values, so folding them
 * into the convolutions is exercised as a trained model would. The scales are a little below 1: freshly
 * initialised compact and resnet18 saturate the softmax at 0/1 on real images (top class 0.997-1.0), where any
 * export would agree; with these, the top class is 0.42-0.73 (measured).
 */
async function networkWithBatchNorm(architecture: ArchitectureName): Promise<string> {
  const dir = await untrainedModel(join(root, architecture), architecture, SIZE);
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  const weights = readFileSync(join(dir, 'weights.bin'));
  const values = new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4);
  const random = seededRandom(11);
  const range: Record<string, [number, number]> = {
    gamma: [0.5, 0.9],
    beta: [-0.2, 0.2],
    moving_mean: [-0.2, 0.2],
    moving_variance: [0.7, 1.5],
  };
  let offset = 0;
  for (const spec of modelJson.weightsManifest.flatMap((group) => group.weights)) {
    const length = spec.shape.reduce((a, b) => a * b, 1);
    const [low, high] = range[spec.name.split('/').at(-1) ?? ''] ?? [];
    if (low !== undefined && high !== undefined) {
      for (let i = offset; i < offset + length; i++) values[i] = low + (high - low) * random();
    }
    offset += length;
  }
  writeFileSync(join(dir, 'weights.bin'), weights);
  return dir;
}

/** Two real images of each class from the committed sample, through the one preprocessing function. */
async function sampleImages(size: number): Promise<{ images: Float32Array; count: number }> {
  const testing = join(SAMPLE_ROOT, 'Testing');
  const files = readdirSync(testing)
    .sort()
    .flatMap((label) =>
      readdirSync(join(testing, label))
        .sort()
        .slice(0, 2)
        .map((file) => join(testing, label, file)),
    );
  const images = new Float32Array(files.length * size * size);
  for (const [i, file] of files.entries()) {
    images.set(await preprocess(readFileSync(file), specFor(size)), i * size * size);
  }
  return { images, count: files.length };
}

/** The exported file in onnxruntime-web against the serving plan on the same images. */
async function compare(dir: string, sample: { images: Float32Array; count: number }) {
  const { bytes, metadata } = await exportOnnx(dir);
  const serving = await loadServingClassifier(dir);
  const onnx = await openOnnx(bytes, metadata.inputSize);
  try {
    const expected = await serving.predict(sample.images, sample.count);
    const actual = await onnx.predict(sample.images, sample.count);
    return { expected, actual, classes: metadata.classNames.length };
  } finally {
    serving.dispose();
    await onnx.dispose();
  }
}

/** Images whose top probability is below 0.99: where a wrong graph would show in the probabilities. */
function unsaturated(probabilities: Float32Array, classes: number): number {
  let count = 0;
  for (let i = 0; i < probabilities.length; i += classes) {
    if (Math.max(...probabilities.subarray(i, i + classes)) < 0.99) count++;
  }
  return count;
}

const dirs = new Map<ArchitectureName, string>();
let sample: { images: Float32Array; count: number };
beforeAll(async () => {
  sample = await sampleImages(SIZE);
  for (const architecture of ARCHITECTURES) dirs.set(architecture, await networkWithBatchNorm(architecture));
}, 300_000); // resnet18's 11 M weights: seconds idle, minutes beside a loaded suite
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ONNX export', () => {
  it.each(ARCHITECTURES)(
    '%s: onnxruntime-web gives the serving plan’s probabilities within 1e-4 on sample images',
    async (architecture) => {
      const { expected, actual, classes } = await compare(dirs.get(architecture) as string, sample);
      expect(actual.length).toBe(sample.count * classes);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4);
      // Not a trivial agreement: the network separates the images, and the softmax is not saturated.
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1e-2);
      expect(unsaturated(expected, classes)).toBeGreaterThan(sample.count / 2);
    },
    180_000,
  );

  it('the shipped model (trained on the full dataset) gives serving’s probabilities within 1e-4', async () => {
    const size = JSON.parse(readFileSync(join(SHIPPED_MODEL, 'metadata.json'), 'utf8')).inputSize as number;
    const images = await sampleImages(size);
    const { expected, actual, classes } = await compare(SHIPPED_MODEL, images);
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4);
    expect(unsaturated(expected, classes)).toBeGreaterThan(0);
  }, 180_000);

  it('writes a standard ModelProto: opset, NHWC input, class names in the metadata', async () => {
    const { bytes } = await exportOnnx(dirs.get('compact') as string);
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    // Our writer (src/onnx/protobuf.ts) against the codec generated from the official onnx.proto: decoding and
    // re-encoding gives back the same bytes, so every field has the number, wire type and order onnx.proto says.
    expect(Buffer.from(onnxProto.onnx.ModelProto.encode(model).finish()).equals(Buffer.from(bytes))).toBe(
      true,
    );
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

  it('refuses a session with more threads than the process pool was started with', async () => {
    const { bytes } = await exportOnnx(dirs.get('compact') as string);
    await expect(openOnnx(bytes, SIZE, { threads: 64 })).rejects.toThrow(/thread pool/);
  });
});

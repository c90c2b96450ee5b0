/**
 * TEMPORARY (remove when tests/support/sample-model.ts lands from the trainer branch): a real tfjs-layers simple
 * CNN with its initial weights, saved as model.json + weights.bin + metadata.json, with a training reference
 * computed from the sample's training images. Real forward passes, untrained weights.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreprocessingSpec } from '@mri/data';
import type { ArtifactMetadata, TrainingReference } from '@mri/model';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { preprocess } from '@mri/data';
import * as tfl from '@tensorflow/tfjs-layers';
import { SAMPLE_ROOT } from './sample.js';

const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

export async function buildTemporaryModel(
  dir: string,
  size = 64,
  architecture: 'simple_cnn' | 'compact' = 'simple_cnn',
): Promise<string> {
  await tf.setBackend('cpu');
  const model = architecture === 'compact' ? compact(size) : simpleCnn(size);
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      await writeFile(join(dir, 'weights.bin'), weights);
      const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
      await writeFile(
        join(dir, 'model.json'),
        JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: manifest }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  const preprocessing: PreprocessingSpec = { version: 1, size, channels: 1, mean: 0.5, std: 0.25 };
  const metadata: ArtifactMetadata = {
    formatVersion: 1,
    architecture,
    inputSize: size,
    classNames: CLASSES,
    createdAt: new Date().toISOString(),
    preprocessing,
    configHash: 'temporary0000',
    metrics: {},
    trainingReference: await referenceOf(preprocessing),
  };
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2));
  return dir;
}

/** The reference's simple CNN: three conv3x3 'valid' layers (32/64/128) with max-pool, GAP, dropout, dense. */
function simpleCnn(size: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [size, size, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 128, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: CLASSES.length, activation: 'softmax' }),
    ],
  });
}

/** The engine's default network as its zoo describes it: five conv-BN-ReLU-pool blocks, 16 to 128 wide. */
function compact(size: number): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [];
  [1, 2, 4, 8, 8].forEach((multiple, i) => {
    layers.push(
      tfl.layers.conv2d({
        ...(i === 0 ? { inputShape: [size, size, 1] } : {}),
        filters: 16 * multiple,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      tfl.layers.batchNormalization({}),
      tfl.layers.reLU(),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
    );
  });
  layers.push(
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.dense({ units: CLASSES.length, activation: 'softmax' }),
  );
  return tfl.sequential({ layers });
}
async function referenceOf(spec: PreprocessingSpec): Promise<TrainingReference> {
  const classCounts: Record<string, number> = {};
  const means: number[] = [];
  const stds: number[] = [];
  for (const name of CLASSES) {
    const files = await readdir(join(SAMPLE_ROOT, 'Training', name));
    classCounts[name] = files.length;
    for (const file of files) {
      const pixels = await preprocess(await readFile(join(SAMPLE_ROOT, 'Training', name, file)), spec);
      const values = Array.from(pixels, (value) => value * spec.std + spec.mean);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      means.push(mean);
      stds.push(Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length));
    }
  }
  return { classCounts, features: { mean: histogram(means), std: histogram(stds) } };
}

function histogram(values: number[], bins = 10): { edges: number[]; proportions: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = Array.from({ length: bins + 1 }, (_, i) => {
    const at = Math.min(sorted.length - 1, Math.floor((i / bins) * (sorted.length - 1)));
    return sorted[at] as number;
  });
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    let bin = 0;
    while (bin < bins - 1 && value >= (edges[bin + 1] as number)) bin++;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, proportions: counts.map((count) => count / values.length) };
}

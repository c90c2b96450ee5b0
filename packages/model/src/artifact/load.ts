/**
 * Reads an artifact back, checking every file before tfjs sees it, so that a missing, corrupt, truncated or
 * mismatched artifact fails with one sentence that names the file and what to do.
 */
import { join, resolve } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ArtifactMetadata } from '../contract.js';
import { ArtifactError } from './errors.js';
import { METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from './files.js';
import { parseMetadata } from './metadata.js';
import { expectedBytes, parseModelJson, readOrFail } from './read.js';

function checkShapes(model: tfl.LayersModel, metadata: ArtifactMetadata, dir: string): void {
  const [, height, width] = model.inputs[0]?.shape ?? [];
  const units = model.outputs[0]?.shape.at(-1);
  if (units !== metadata.classNames.length) {
    throw new ArtifactError(
      `The model in ${dir} has ${units} outputs but its metadata lists ${metadata.classNames.length} classes; the files come from different models.`,
    );
  }
  if (height !== metadata.inputSize || width !== metadata.inputSize) {
    throw new ArtifactError(
      `The model in ${dir} takes ${height}x${width} images but its metadata says ${metadata.inputSize}; the files come from different models.`,
    );
  }
}

export async function loadArtifact(
  dir: string,
): Promise<{ model: tfl.LayersModel; metadata: ArtifactMetadata }> {
  const root = resolve(dir);
  const metadataPath = join(root, METADATA_FILE);
  const metadata = parseMetadata((await readOrFail(metadataPath)).toString('utf8'), metadataPath);
  const modelPath = join(root, MODEL_FILE);
  const modelJson = parseModelJson((await readOrFail(modelPath)).toString('utf8'), modelPath);
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightsPath = join(root, WEIGHTS_FILE);
  const weights = await readOrFail(weightsPath);
  const expected = expectedBytes(specs);
  if (weights.byteLength !== expected) {
    throw new ArtifactError(
      `${weightsPath} holds ${weights.byteLength} bytes but model.json describes ${expected}; the file is truncated or from another model.`,
    );
  }
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({
      load: async () => ({
        modelTopology: modelJson.modelTopology,
        weightSpecs: specs,
        weightData,
        format: 'layers-model',
      }),
    });
  } catch (error) {
    throw new ArtifactError(
      `${modelPath} describes a model tfjs cannot build (${(error as Error).message}); re-save it.`,
    );
  }
  try {
    checkShapes(model, metadata, root);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, metadata };
}

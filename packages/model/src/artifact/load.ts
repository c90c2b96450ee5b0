/**
 * Reads an artifact back, checking every file before tfjs sees it (`readArtifactFiles`), so that a missing,
 * corrupt, truncated or mismatched artifact fails with one sentence that names the file and what to do.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { ArtifactMetadata } from '../contract.js';
import { ArtifactError } from './errors.js';
import { checkShapes, readArtifactFiles } from './read.js';

export async function loadArtifact(
  dir: string,
): Promise<{ model: tfl.LayersModel; metadata: ArtifactMetadata }> {
  const files = await readArtifactFiles(dir);
  const { metadata, modelJson, specs, weights, modelPath } = files;
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
    const [, height, width] = model.inputs[0]?.shape ?? [];
    checkShapes(files, { height, width, outputUnits: model.outputs[0]?.shape.at(-1) });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, metadata };
}

/**
 * TEMPORARY stand-in for `@mri/model`'s `loadClassifier`, until the engine branch lands on main; then this file
 * becomes `export { loadClassifier } from '@mri/model';`. Reads a tfjs layers model (model.json + weights.bin)
 * and metadata.json from a directory, and answers the `Classifier` contract.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactMetadata, BackendChoice, Classifier } from '@mri/model';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';

export async function loadClassifier(dir: string, options: { backend: BackendChoice }): Promise<Classifier> {
  const backend = options.backend === 'cpu' ? 'cpu' : 'wasm';
  await (backend === 'cpu'
    ? import('@tensorflow/tfjs-backend-cpu')
    : import('@tensorflow/tfjs-backend-wasm'));
  await tf.setBackend(backend);
  await tf.ready();
  const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as ArtifactMetadata;
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const weights = await readFile(join(dir, 'weights.bin'));
  const model = await loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const size = metadata.inputSize;
  return {
    metadata,
    backend,
    async predict(images, count) {
      const out = tf.tidy(() => model.predict(tf.tensor4d(images, [count, size, size, 1])) as tf.Tensor);
      const values = (await out.data()) as Float32Array;
      out.dispose();
      return values;
    },
    dispose() {
      model.dispose();
    },
  };
}

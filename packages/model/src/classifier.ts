import { loadArtifact } from './artifact/load.js';
import { initBackend } from './backend.js';
import type { BackendChoice, Classifier } from './contract.js';
import { runInChunks, softmaxRows } from './inference.js';

export interface LoadOptions {
  readonly backend?: BackendChoice;
}

/** Loads a saved artifact for inference on this thread. Throws ArtifactError for a bad artifact. */
export async function loadClassifier(dir: string, options: LoadOptions = {}): Promise<Classifier> {
  const backend = await initBackend(options.backend ?? 'auto');
  const { model, metadata } = await loadArtifact(dir);
  return {
    metadata,
    backend,
    predict: async (images, count) => runInChunks(model, images, count, metadata.inputSize, softmaxRows),
    dispose: () => model.dispose(),
  };
}

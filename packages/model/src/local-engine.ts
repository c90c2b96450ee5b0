import { saveArtifact } from './artifact/save.js';
import { initBackend } from './backend.js';
import type { EngineOptions, TrainEngine } from './contract.js';
import { artifactMetadata, trainerSettings, validateBatch } from './engine-options.js';
import { LocalTrainer } from './training/local-trainer.js';

/** The engine on the calling thread (workers: 0): simplest, and the reference the data-parallel engine must match. */
export async function createLocalEngine(options: EngineOptions): Promise<TrainEngine> {
  const backend = await initBackend(options.backend);
  const trainer = new LocalTrainer(trainerSettings(options));
  let steps = 0;
  return {
    backend,
    exportState: async () => trainer.exportState(steps),
    importState: async (state) => {
      trainer.importState(state);
      steps = state.steps;
    },
    trainStep: async (batch) => {
      validateBatch(batch, options);
      return trainer.step(batch, steps++);
    },
    predict: async (images, count) => trainer.predict(images, count),
    embed: async (images, count) => trainer.embed(images, count),
    setLearningRate: (lr) => {
      trainer.learningRate = lr;
    },
    save: (dir, metadata) => saveArtifact(dir, trainer.model, artifactMetadata(options, metadata)),
    dispose: async () => trainer.dispose(),
  };
}

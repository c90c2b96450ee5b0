export { ArtifactError } from './artifact/errors.js';
export { loadArtifact } from './artifact/load.js';
export { type LabelledImages, trainingReference } from './artifact/reference.js';
export { activeBackend, BackendUnavailableError, initBackend } from './backend.js';
export { type LoadOptions, loadClassifier } from './classifier.js';
export * from './contract.js';
export { createTrainEngine } from './engine.js';
export { ARCHITECTURES, type BuildSettings, buildModel } from './zoo/index.js';

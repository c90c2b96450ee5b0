/**
 * `@mri/model/testing`: real models for other packages' tests, built through this package (never the trainer), so
 * a package that depends on `model` can test against a trained artifact without reaching past its dependencies.
 */

export { contentHash, withLock } from './testing/cached-build.js';
export {
  cachedBuild,
  ensureSampleModel,
  type SampleImages,
  sampleImages,
  shuffledBatches,
} from './testing/sample-model.js';
export { untrainedModel } from './testing/untrained-model.js';
